// The same RNN folded: one cell with its loop W, the way most diagrams draw it.
import { tooltip } from '../blocks/tooltip.js';
import { P, svgLabel } from '../notation.js';
const d3 = window.d3;

const NODES = [
  { id: 'J', label: 'J⁽ᵗ⁾', y: 30, about: 'the loss at step t: the output against its target' },
  { id: 'o', label: 'o⁽ᵗ⁾, ŷ⁽ᵗ⁾', y: 100, about: 'the output layer: o = c + V h, and the prediction ŷ = f(o)' },
  { id: 'h', label: 'h⁽ᵗ⁾', y: 180, about: 'the hidden state: the cell\'s memory, fed back through the loop' },
  { id: 'x', label: 'x⁽ᵗ⁾', y: 260, about: 'the input at step t' },
];
const EDGES = [
  { from: 'x', to: 'h', label: 'U' }, { from: 'h', to: 'o', label: 'V' }, { from: 'o', to: 'J', label: 'loss' },
];
const EDGE_ABOUT = {
  U: () => [`${P('U')}: input → hidden`, 'one matrix, used at every step'],
  V: () => [`${P('V')}: hidden → output`, 'one matrix, used at every step'],
  loss: () => ['the loss compares ŷ⁽ᵗ⁾ with the target y⁽ᵗ⁾'],
  W: () => [`${P('W')}: the loop, hidden → hidden`, 'h⁽ᵗ⁻¹⁾ comes back in at step t; unfolded, it is the arrow from each step to the next'],
};

const CELL_NAME = { rnn: 'simple RNN', lstm: 'LSTM', gru: 'GRU' };

export function drawFolded(container, m) {
  const cell = m?.cell ?? 'rnn';
  const root = d3.select(container);
  root.selectAll('*').remove();
  const svg = root.append('svg').attr('width', 360).attr('height', 285).attr('class', 'folded')
    .attr('role', 'img').attr('aria-label', `the ${CELL_NAME[cell]} folded: one cell with a recurrent loop ${P('W')}`);
  const cx = 150;
  const y = Object.fromEntries(NODES.map((n) => [n.id, n.y]));
  svg.append('defs').append('marker').attr('id', 'fold-arrow').attr('viewBox', '0 0 8 8').attr('refX', 7).attr('refY', 4)
    .attr('markerWidth', 6).attr('markerHeight', 6).attr('orient', 'auto').append('path').attr('d', 'M0,0L8,4L0,8z');
  svg.selectAll('line').data(EDGES).join('line').attr('class', 'edge')
    .attr('x1', cx).attr('x2', cx).attr('y1', (d) => y[d.from] - 16).attr('y2', (d) => y[d.to] + 16)
    .attr('marker-end', 'url(#fold-arrow)')
    .call(tooltip, (d) => EDGE_ABOUT[d.label]());
  svg.selectAll('text.edge-label').data(EDGES).join('text').attr('class', 'edge-label')
    .attr('x', cx + 8).attr('y', (d) => (y[d.from] + y[d.to]) / 2 + 4).each(function (d) { svgLabel(d3.select(this), d.label); })
    .call(tooltip, (d) => EDGE_ABOUT[d.label]());
  svg.append('path').attr('class', 'edge loop').attr('marker-end', 'url(#fold-arrow)')
    .attr('d', `M${cx + 45},${y.h - 8} C${cx + 110},${y.h - 60} ${cx + 110},${y.h + 60} ${cx + 45},${y.h + 8}`)
    .call(tooltip, EDGE_ABOUT.W);
  svg.append('text').attr('class', 'edge-label').attr('x', cx + 100).attr('y', y.h + 4).call(svgLabel, 'W')
    .call(tooltip, EDGE_ABOUT.W);
  const g = svg.selectAll('g.fnode').data(NODES).join('g').attr('class', 'fnode')
    .attr('transform', (d) => `translate(${cx},${d.y})`)
    .call(tooltip, (d) => [d.id === 'h' && cell === 'lstm' ? 'h⁽ᵗ⁾, s⁽ᵗ⁾' : d.label,
      d.id === 'h' && cell === 'lstm' ? 'the hidden state and the cell state, fed back through the loop' : d.about]);
  g.append('rect').attr('x', -45).attr('y', -15).attr('width', 90).attr('height', 30).attr('rx', 6);
  g.append('text').attr('y', 5).text((d) => (d.id === 'h' && cell === 'lstm' ? 'h⁽ᵗ⁾, s⁽ᵗ⁾' : d.label));
  // the caption is text in the page, so it wraps instead of being cut at the drawing's edge
  root.append('p').attr('class', 'folded-caption muted')
    .text(`Unfolding repeats this ${CELL_NAME[cell]} cell ${m ? m.steps : 'T'} times with the same ${P('U')}, ${P('W')}, ${P('V')}: `
      + `the loop ${P('W')} becomes the arrows from each step to the next.`);
}
