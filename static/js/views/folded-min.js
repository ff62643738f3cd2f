// The minGRU and the minLSTM folded (MATH.md, "minGRU and minLSTM"): their gates read x alone,
// so no arrow runs from h into a gate; h⁽ᵗ⁻¹⁾ comes back into h⁽ᵗ⁾ through one loop, scaled unit
// by unit by the gate α (1 − z, or f′). The minLSTM's f′ and i′ are made of f and i.
import { tooltip } from '../blocks/tooltip.js';
import { gatesOf } from '../state/meta.js';
import { P } from '../state/notation.js';

export const isMinCell = (cell) => cell === 'mingru' || cell === 'minlstm';

// where each gate stands: [x offset from the centre, row]; the minLSTM's shares f′, i′ above f, i
const PLACES = {
  mingru: { update: [-40, 'gates'], candidate: [40, 'gates'] },
  minlstm: { forget: [-70, 'gates'], input: [0, 'gates'], candidate: [110, 'gates'], f_norm: [-75, 'norm'], i_norm: [15, 'norm'] },
};
// what feeds each gate that is not read from x, and the gates that make h⁽ᵗ⁾
const MIXED = { f_norm: ['forget', 'input'], i_norm: ['forget', 'input'] };
const INTO_H = { mingru: ['update', 'candidate'], minlstm: ['f_norm', 'i_norm', 'candidate'] };

export const LAYOUT = {
  mingru: { y: { gates: 255, x: 330 }, height: 360 },
  minlstm: { y: { norm: 246, gates: 312, x: 386 }, height: 412 },
};
// α: what multiplies h⁽ᵗ⁻¹⁾ on its way into h⁽ᵗ⁾, and the error on its way back
const ALPHA = { mingru: '1 − z', minlstm: 'f′' };
export const STATE_UPDATE = {
  mingru: 'h⁽ᵗ⁾ = (1 − z) ⊙ h⁽ᵗ⁻¹⁾ + z ⊙ h̃',
  minlstm: 'h⁽ᵗ⁾ = f′ ⊙ h⁽ᵗ⁻¹⁾ + i′ ⊙ h̃',
};

const NAMES = { f_norm: 'normalised forget', i_norm: 'normalised input' };
const fromX = (block) => `from x alone: a_${block} = ${P('U')}_${block} x⁽ᵗ⁾ + ${P('b')}_${block}, no h⁽ᵗ⁻¹⁾`;
const GATE_ABOUT = {
  mingru: {
    update: () => [`z = σ(a_z), ${fromX('z')}`, 'how much of the candidate h̃ enters h; 1 − z is how much of h⁽ᵗ⁻¹⁾ stays '
      + '(the GRU\'s z the other way round: there z keeps h⁽ᵗ⁻¹⁾)'],
    candidate: () => [`h̃ = a_h, ${fromX('h')}`, 'the new content, not squashed (no tanh)'],
  },
  minlstm: {
    forget: () => [`f = σ(a_f), ${fromX('f')}`, 'how strongly h⁽ᵗ⁻¹⁾ is kept, before the two gates are scaled to sum to 1'],
    input: () => [`i = σ(a_i), ${fromX('i')}`, 'how strongly h̃ comes in, before the two gates are scaled to sum to 1'],
    candidate: () => [`h̃ = a_h, ${fromX('h')}`, 'the new content, not squashed (no tanh)'],
    f_norm: () => ['f′ = f / (f + i): the share of h⁽ᵗ⁻¹⁾ kept (a gate, not a derivative)',
      'it is the loop\'s α: going back, each unit\'s error is multiplied by it'],
    i_norm: () => ['i′ = i / (f + i): the share of h̃ taken in', 'f′ + i′ = 1'],
  },
};

// 'h̃ = a' with a lowered h: the candidate's box says it is a_h itself
function gateText(text, name, g) {
  if (g.fn === 'σ') { text.text(`${g.letter} σ`); return; }
  if (g.fn === 'id') {
    text.text(`${g.letter} = a`).append('tspan').attr('baseline-shift', 'sub').attr('font-size', '72%').text('h');
    return;
  }
  text.text(`${g.letter} = ${g.fn}`);
}

// The gates between x and h, fed by x only, and the loop h⁽ᵗ⁻¹⁾ → h⁽ᵗ⁾ through α.
export function drawMinGates(svg, cell, cx, y) {
  const gates = Object.entries(gatesOf(cell));
  const place = (name) => ({ x: cx + PLACES[cell][name][0], y: y[PLACES[cell][name][1]] });
  const widthOf = ([, g]) => (g.fn === 'σ' ? 48 : g.fn === 'id' ? 60 : 84);
  const width = Object.fromEntries(gates.map((gate) => [gate[0], widthOf(gate)]));
  const read = gates.filter(([name]) => !MIXED[name]);
  svg.selectAll('line.gate-in').data(read).join('line').attr('class', 'edge gate-in from-x')
    .attr('x1', cx).attr('y1', y.x - 16).attr('x2', ([name]) => place(name).x).attr('y2', ([name]) => place(name).y + 14)
    .attr('marker-end', 'url(#fold-arrow)')
    .call(tooltip, () => [`${P('U')}, ${P('b')}: x⁽ᵗ⁾ into every gate`, 'the gates read x⁽ᵗ⁾ and nothing else']);
  const mixes = gates.flatMap(([name]) => (MIXED[name] ?? []).map((from) => [from, name]));
  svg.selectAll('line.gate-mix').data(mixes).join('line').attr('class', 'edge gate-mix')
    .attr('x1', ([from]) => place(from).x).attr('y1', ([from]) => place(from).y - 14)
    .attr('x2', ([, to]) => place(to).x).attr('y2', ([, to]) => place(to).y + 14).attr('marker-end', 'url(#fold-arrow)')
    .call(tooltip, () => ['f′ = f / (f + i),  i′ = i / (f + i)', 'the two gates scaled to sum to 1']);
  // into h, each at its own point of h's lower edge
  const into = INTO_H[cell];
  const at = (k) => cx + (k - (into.length - 1) / 2) * 30;
  svg.selectAll('line.gate-out').data(into).join('line').attr('class', 'edge gate-out')
    .attr('x1', (name) => place(name).x).attr('y1', (name) => place(name).y - 14).attr('x2', (_, k) => at(k)).attr('y2', y.h + 16)
    .attr('marker-end', 'url(#fold-arrow)')
    .call(tooltip, () => [STATE_UPDATE[cell], 'no weights on these arrows: the gates mix h⁽ᵗ⁻¹⁾ and h̃ unit by unit']);
  const box = svg.selectAll('g.gate').data(gates).join('g').attr('class', 'fnode gate').attr('data-gate', ([name]) => name)
    .attr('transform', ([name]) => `translate(${place(name).x},${place(name).y})`)
    .call(tooltip, ([name, g]) => [`${g.letter}: the ${NAMES[name] ?? name} gate`, ...GATE_ABOUT[cell][name](), STATE_UPDATE[cell]]);
  box.append('rect').attr('x', ([name]) => -width[name] / 2).attr('y', -14).attr('width', ([name]) => width[name])
    .attr('height', 28).attr('rx', 4);
  box.append('text').attr('y', 5).each(function ([name, g]) { gateText(window.d3.select(this), name, g); });
  drawAlphaLoop(svg, cell, cx, y.h);
}

// h⁽ᵗ⁻¹⁾ back into h⁽ᵗ⁾, multiplied by α: the only way the state reaches the next step
function drawAlphaLoop(svg, cell, cx, yh) {
  const about = () => [`${ALPHA[cell]}: the loop, h⁽ᵗ⁻¹⁾ → h⁽ᵗ⁾, with no weights`,
    `h⁽ᵗ⁻¹⁾ is multiplied unit by unit by the gate ${ALPHA[cell]}, which was read from x⁽ᵗ⁾ alone`,
    `going back, δh⁽ᵗ⁾ gets ${cell === 'mingru' ? '(1 − z⁽ᵗ⁺¹⁾)' : 'f′⁽ᵗ⁺¹⁾'} ⊙ δh⁽ᵗ⁺¹⁾: a gate value between 0 and 1, so an error can only fade`];
  svg.append('path').attr('class', 'edge loop alpha').attr('marker-end', 'url(#fold-arrow)')
    .attr('d', `M${cx - 45},${yh - 8} C${cx - 110},${yh - 50} ${cx - 110},${yh + 50} ${cx - 45},${yh + 8}`)
    .call(tooltip, about);
  svg.append('text').attr('class', 'edge-label alpha').attr('x', cx - 100).attr('y', yh + 4).style('text-anchor', 'end')
    .text(cell === 'mingru' ? '(1 − z) ⊙' : 'f′ ⊙').call(tooltip, about);
}

// The caption's sentences: h⁽ᵗ⁾'s equation, and why one step back is a product of gate values.
export function minCaption(cell, title, steps) {
  return `Unfolding repeats this ${title} cell ${steps} times with the same ${P('U')}, ${P('b')}, ${P('V')}, ${P('c')}; `
    + `it has no ${P('W')}. Its gates read only x⁽ᵗ⁾, never h⁽ᵗ⁻¹⁾: ${STATE_UPDATE[cell]}`
    + `${cell === 'minlstm' ? ', with f′ = f/(f + i) and i′ = i/(f + i)' : ''}. `
    + `The loop multiplies h⁽ᵗ⁻¹⁾ by the gate ${ALPHA[cell]} on its way into h⁽ᵗ⁾; unfolded, it is the arrows from each step to the next. `
    + `So a step back multiplies each unit's error by that step's ${ALPHA[cell]} and nothing else (no ${P('W')}, no squashing): `
    + `an error that goes d steps back is scaled by a product of d gate values.`;
}
