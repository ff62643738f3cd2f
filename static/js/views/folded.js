// The same RNN folded: one cell with its loop W, the way most diagrams draw it; a gated cell
// with its own gates between x and h (and the LSTM's cell state s with its loop through f); the
// min cells' gates read x alone, and their loop goes through a gate (views/folded-min.js).
import { tooltip } from '../blocks/tooltip.js';
import { cellInfo, gatesOf } from '../state/meta.js';
import { P, svgLabel } from '../state/notation.js';
import { LAYOUT, STATE_UPDATE as MIN_UPDATE, drawMinGates, isMinCell, minCaption } from './folded-min.js';
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

// What each gate does, in the words of MATH.md's equations.
const GATE_ABOUT = {
  lstm: {
    input: 'i = σ(aᵢ): how much of the candidate g enters the cell state',
    forget: 'f = σ(a_f): how much of s⁽ᵗ⁻¹⁾ the cell state keeps',
    candidate: 'g = tanh(a_g): the new content',
    output: 'q = σ(a_q): how much of tanh(s⁽ᵗ⁾) is shown as h⁽ᵗ⁾',
  },
  gru: {
    reset: 'r = σ(U_r x + W_r h′ + b_r): how much of h⁽ᵗ⁻¹⁾ the candidate reads',
    update: 'z = σ(U_z x + W_z h′ + b_z): how much of h⁽ᵗ⁻¹⁾ is kept, h = (1 − z) ⊙ n + z ⊙ h′',
    candidate: 'n = tanh(U_n x + b_n + r ⊙ (W_n h′ + b_hn)): the new state proposed',
  },
};
const STATE_UPDATE = {
  lstm: 's⁽ᵗ⁾ = f ⊙ s⁽ᵗ⁻¹⁾ + i ⊙ g;  h⁽ᵗ⁾ = q ⊙ tanh(s⁽ᵗ⁾)',
  gru: 'h⁽ᵗ⁾ = (1 − z) ⊙ n + z ⊙ h⁽ᵗ⁻¹⁾',
  ...MIN_UPDATE,
};

// The gates as a row of boxes between x and h, each read from x and from h⁽ᵗ⁻¹⁾ (the loop),
// and for the LSTM the cell state s beside h with its own loop through the forget gate.
function drawGates(svg, cell, cx, y) {
  const gates = Object.entries(gatesOf(cell));
  const width = 52;
  const left = cx - (gates.length * (width + 8) - 8) / 2;
  const at = (k) => left + k * (width + 8) + width / 2;
  svg.selectAll('line.gate-in').data(gates).join('line').attr('class', 'edge gate-in')
    .attr('x1', cx).attr('y1', y.x - 16).attr('x2', (_, k) => at(k)).attr('y2', y.gates + 14).attr('marker-end', 'url(#fold-arrow)');
  svg.selectAll('line.gate-out').data(gates).join('line').attr('class', 'edge gate-out')
    .attr('x1', (_, k) => at(k)).attr('y1', y.gates - 14).attr('x2', cx).attr('y2', y.h + 16);
  const box = svg.selectAll('g.gate').data(gates).join('g').attr('class', 'fnode gate').attr('data-gate', ([name]) => name)
    .attr('transform', (_, k) => `translate(${at(k)},${y.gates})`)
    .call(tooltip, ([name, g]) => [`${g.letter}: the ${name} gate (${g.fn})`, GATE_ABOUT[cell][name], STATE_UPDATE[cell]]);
  box.append('rect').attr('x', -width / 2).attr('y', -14).attr('width', width).attr('height', 28).attr('rx', 4);
  box.append('text').attr('y', 5).text(([, g]) => `${g.letter} ${g.fn}`);
  if (cell !== 'lstm') return;
  const sx = cx + 120;
  const s = svg.append('g').attr('class', 'fnode state-s').attr('transform', `translate(${sx},${y.h})`)
    .call(tooltip, () => ['s⁽ᵗ⁾: the cell state', STATE_UPDATE.lstm,
      'its error travels back through f alone when the gates are open: the constant error carousel']);
  s.append('rect').attr('x', -28).attr('y', -15).attr('width', 56).attr('height', 30).attr('rx', 6);
  s.append('text').attr('y', 5).text('s⁽ᵗ⁾');
  svg.append('line').attr('class', 'edge').attr('x1', cx + 45).attr('y1', y.h).attr('x2', sx - 28).attr('y2', y.h);
  svg.append('path').attr('class', 'edge loop').attr('marker-end', 'url(#fold-arrow)')
    .attr('d', `M${sx + 10},${y.h - 15} C${sx + 60},${y.h - 70} ${sx + 60},${y.h + 70} ${sx + 10},${y.h + 15}`)
    .call(tooltip, () => ['f ⊙ s⁽ᵗ⁻¹⁾: the cell state\'s loop', 'kept as much as the forget gate lets it']);
  svg.append('text').attr('class', 'edge-label').attr('x', sx + 50).attr('y', y.h + 4).text('f ⊙');
}

export function drawFolded(container, m) {
  const cell = m?.cell ?? 'rnn';
  const gated = cell !== 'rnn';
  const min = isMinCell(cell);
  const title = cellInfo(cell).title;
  const root = d3.select(container);
  root.selectAll('*').remove();
  const height = min ? LAYOUT[cell].height : gated ? 345 : 285;
  const svg = root.append('svg').attr('width', gated ? 460 : 360).attr('height', height).attr('class', 'folded')
    .attr('data-cell', cell).attr('role', 'img')
    .attr('aria-label', min ? `the ${title} folded: one cell whose gates read only x, with a loop through a gate and no ${P('W')}`
      : `the ${title} folded: one cell with a recurrent loop ${P('W')}${gated ? ' and its gates' : ''}`);
  const cx = min ? 170 : 150;
  const y = Object.fromEntries(NODES.map((n) => [n.id, n.y]));
  if (gated) Object.assign(y, min ? LAYOUT[cell].y : { gates: 250, x: 320 });
  svg.append('defs').append('marker').attr('id', 'fold-arrow').attr('viewBox', '0 0 8 8').attr('refX', 7).attr('refY', 4)
    .attr('markerWidth', 6).attr('markerHeight', 6).attr('orient', 'auto').append('path').attr('d', 'M0,0L8,4L0,8z');
  const edges = gated ? EDGES.filter((e) => e.label !== 'U') : EDGES; // a gated cell's x reaches h through its gates
  svg.selectAll('line.edge.main').data(edges).join('line').attr('class', 'edge main')
    .attr('x1', cx).attr('x2', cx).attr('y1', (d) => y[d.from] - 16).attr('y2', (d) => y[d.to] + 16)
    .attr('marker-end', 'url(#fold-arrow)')
    .call(tooltip, (d) => EDGE_ABOUT[d.label]());
  svg.selectAll('text.edge-label.main').data(edges).join('text').attr('class', 'edge-label main')
    .attr('x', cx + 8).attr('y', (d) => (y[d.from] + y[d.to]) / 2 + 4).each(function (d) { svgLabel(d3.select(this), d.label); })
    .call(tooltip, (d) => EDGE_ABOUT[d.label]());
  if (min) drawMinGates(svg, cell, cx, y);
  else if (gated) drawGates(svg, cell, cx, y);
  if (!min) {
    // the loop W: h⁽ᵗ⁻¹⁾ back into the cell (a gated cell's gates read it: the arrow from h into a gate)
    const back = gated ? y.gates : y.h;
    svg.append('path').attr('class', `edge loop ${gated ? 'h-to-gates' : 'h-to-h'}`).attr('marker-end', 'url(#fold-arrow)')
      .attr('d', `M${cx - 45},${y.h - 8} C${cx - 110},${y.h - 40} ${cx - 120},${back + 40} ${cx - (gated ? 80 : 45)},${back + 8}`)
      .call(tooltip, EDGE_ABOUT.W);
    svg.append('text').attr('class', 'edge-label').attr('x', cx - 118).attr('y', (y.h + back) / 2 + 4).call(svgLabel, 'W')
      .call(tooltip, EDGE_ABOUT.W);
  }
  if (gated) {
    svg.append('text').attr('class', 'edge-label').attr('x', cx + 8).attr('y', y.x - 22).call(svgLabel, 'U')
      .call(tooltip, EDGE_ABOUT.U);
  }
  const g = svg.selectAll('g.fnode.main').data(NODES).join('g').attr('class', 'fnode main').attr('data-node', (d) => d.id)
    .attr('transform', (d) => `translate(${cx},${y[d.id]})`)
    .call(tooltip, (d) => [d.label, d.id === 'h' && gated ? `${d.about}; ${STATE_UPDATE[cell]}` : d.about]);
  g.append('rect').attr('x', -45).attr('y', -15).attr('width', 90).attr('height', 30).attr('rx', 6);
  g.append('text').attr('y', 5).text((d) => d.label);
  // the caption is text in the page, so it wraps instead of being cut at the drawing's edge
  const steps = m ? m.steps : 'T';
  root.append('p').attr('class', 'folded-caption muted')
    .text(min ? minCaption(cell, title, steps)
      : `Unfolding repeats this ${title} cell ${steps} times with the same ${P('U')}, ${P('W')}, ${P('V')}: `
      + `the loop ${P('W')} becomes the arrows from each step to the next.`
      + (gated ? ` Its gates read x⁽ᵗ⁾ and h⁽ᵗ⁻¹⁾: ${STATE_UPDATE[cell]}.` : ''));
}
