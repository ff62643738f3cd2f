// The gated cells' own rows in the unfolded network: one strip per gate between x and h, and
// for the LSTM its cell state s with its error δs; their tooltips, edges and frames.
import { exact, maxAbs, sup } from '../blocks/format.js';
import { part } from '../blocks/part.js';
import { gateScale, layout, valueScale } from '../config.js';
import { gatesOf } from '../state/meta.js';
import { relabel } from '../state/notation.js';

const { node, gate } = layout;
const half = node.height / 2;
const gateY = (m, k) => m.rows.gates + k * (gate.height + gate.gap);
const gatesTop = (m) => gateY(m, 0) - gate.height / 2;
const gatesBottom = (m) => gateY(m, m.gates.length - 1) + gate.height / 2;

// q, not o, for the LSTM's output gate in every notation: o is the output layer's logits
export const letter = (m, name) => gatesOf(m.cell)[name].letter;

export function gateScales(m) {
  if (m.cell === 'rnn') return {};
  const scales = Object.fromEntries(m.gates.map((name) => [`gate:${name}`, gateScale(name)]));
  // the min cells' candidate h̃ = a_h is not squashed: its own scale
  if (!m.hasW) scales['gate:candidate'] = valueScale(maxAbs(m.response.forward.gates.candidate));
  if (m.hasState) {
    const f = m.response.forward;
    scales.s = valueScale(Math.max(maxAbs(f.s), maxAbs([m.response.s0])));
    scales.ds = valueScale(maxAbs(m.response.errors.s));
  }
  return scales;
}

// strip(selection, quantity, values, scale, height): the network's strip drawer for this column.
export function drawGateRows(g, m, t, scales, strip) {
  if (m.cell === 'rnn') return;
  const f = m.response.forward;
  const row = (key, cls, y) => part(g, 'g', key, (sel) => sel.attr('class', cls).attr('transform', `translate(0,${y})`));
  m.gates.forEach((name, k) => {
    const gateRow = part(g, 'g', `gate-${name}`, (sel) => sel.attr('class', `node gate gate-${name}`).attr('data-gate', name)
      .attr('transform', `translate(0,${gateY(m, k)})`));
    strip(gateRow, `gate:${name}`, f.gates[name][t], scales[`gate:${name}`], gate.height);
  });
  if (!m.hasState) return;
  strip(row('s', 'node s', m.rows.s), 's', f.s[t], scales.s);
  strip(row('ds', 'node ds error', m.rows.s - half - 7), 'ds', m.response.errors.s[t], scales.ds, 7);
}

// The column left of step 0: s^(-1).
export function drawInitialState(g, m, scales, strip) {
  if (!m.hasState) return;
  const s0 = part(g, 'g', 's0', (sel) => sel.attr('class', 'node s0').attr('transform', `translate(0,${m.rows.s})`));
  strip(s0, 's0', m.response.s0, scales.s);
  part(g, 'text', 's0-label', (sel) => sel.attr('class', 'node-label').attr('y', m.rows.s + half + 13).text('s⁽⁻¹⁾'));
}

const GATE_TITLE = { f_norm: 'f′ = f/(f + i): the forget gate\'s share, 0 … 1', i_norm: 'i′ = i/(f + i): the input gate\'s share, 0 … 1' };

// The row labels of the gated cells' own rows: [{y, text, title, cls}].
export function gateRowLabels(m) {
  if (m.cell === 'rnn') return [];
  const labels = m.gates.map((name, k) => ({
    y: gateY(m, k), text: letter(m, name), cls: 'gate-label', title: GATE_TITLE[name] ?? `${name} gate${name === 'candidate' ? '' : ', 0 shut … 1 open'}`,
  }));
  labels.push({ y: gatesTop(m) - 16, text: 'gates', title: 'the gates of each step' });
  if (m.hasState) {
    labels.push({ y: m.rows.s, text: 's', title: 'the cell state s⁽ᵗ⁾' },
      { y: m.rows.s - half - 7, text: 'δs', cls: 'error-label', title: 'the error δs⁽ᵗ⁾ of the cell state' });
  }
  return labels;
}

// Vertical edges of a column below h: x -> gates -> (s ->) h. The simple RNN has x -> h.
export function cellEdges(m) {
  const { rows } = m;
  if (m.cell === 'rnn') return [{ name: 'U', y1: rows.x - half, y2: rows.h + half + 4 }];
  const edges = [{ name: 'U', y1: rows.x - half, y2: gatesBottom(m) + 3 }];
  if (m.hasState) {
    edges.push({ name: 'gates-s', label: null, y1: gatesTop(m) - 1, y2: rows.s + half + 3 });
    edges.push({ name: 's-h', label: null, y1: rows.s - half - 11, y2: rows.h + half + 3 });
  } else {
    edges.push({ name: 'gates-h', label: null, y1: gatesTop(m) - 1, y2: rows.h + half + 3 });
  }
  return edges;
}

// Where a contribution's frame goes when it differs from the simple RNN's: U on the input's
// edge into the gates, b around the gates, b_hn around the GRU's candidate.
export function gateBoxes(m, cx) {
  if (m.cell === 'rnn') return {};
  const top = gatesTop(m);
  const bottom = gatesBottom(m);
  const k = m.gates.indexOf('candidate');
  return {
    U: [cx - 16, bottom + 2, 32, m.rows.x - half - bottom - 4],
    b: [cx - node.width / 2 - 5, top - 4, node.width + 10, bottom - top + 8],
    b_hn: [cx - node.width / 2 - 4, gateY(m, k) - gate.height / 2 - 3, node.width + 8, gate.height + 6],
  };
}

const value = (m, name, t, i) => m.response.forward.gates[name][t][i];

// Tooltip lines for h in a gated cell: how it was made, with the numbers.
export function gateSummary(m, t, i) {
  const f = m.response.forward;
  if (m.cell === 'lstm') {
    const q = letter(m, 'output');
    return [`h = ${q} ⊙ tanh(s)`, `${q}${sup(t)}[${i}] = ${exact(value(m, 'output', t, i))},  s${sup(t)}[${i}] = ${exact(f.s[t][i])}`];
  }
  const prev = t === 0 ? m.response.h0[i] : f.h[t - 1][i];
  if (m.cell === 'mingru') {
    return ['h = (1 − z) ⊙ h⁽ᵗ⁻¹⁾ + z ⊙ h̃', `z${sup(t)}[${i}] = ${exact(value(m, 'update', t, i))},  h̃${sup(t)}[${i}] = `
      + `${exact(value(m, 'candidate', t, i))},  h${sup(t - 1)}[${i}] = ${exact(prev)}`];
  }
  if (m.cell === 'minlstm') {
    return ['h = f′ ⊙ h⁽ᵗ⁻¹⁾ + i′ ⊙ h̃', `f′${sup(t)}[${i}] = ${exact(value(m, 'f_norm', t, i))},  i′${sup(t)}[${i}] = `
      + `${exact(value(m, 'i_norm', t, i))},  h̃${sup(t)}[${i}] = ${exact(value(m, 'candidate', t, i))},  h${sup(t - 1)}[${i}] = ${exact(prev)}`];
  }
  return ['h = (1 − z) ⊙ n + z ⊙ h⁽ᵗ⁻¹⁾', `z${sup(t)}[${i}] = ${exact(value(m, 'update', t, i))},  n${sup(t)}[${i}] = `
    + `${exact(value(m, 'candidate', t, i))},  h${sup(t - 1)}[${i}] = ${exact(prev)}`];
}

const PRE = {
  lstm: () => 'a = b + W h⁽ᵗ⁻¹⁾ + U x⁽ᵗ⁾ (one block per gate)',
  mingru: () => 'a = b + U x⁽ᵗ⁾ (one block per gate): no h⁽ᵗ⁻¹⁾, the gates read only x',
  minlstm: () => 'a = b + U x⁽ᵗ⁾ (one block per gate): no h⁽ᵗ⁻¹⁾, the gates read only x',
  gru: (name) => (name === 'candidate' ? 'a_n = U_n x + b_n + r ⊙ (W_n h⁽ᵗ⁻¹⁾ + b_hn)' : `a_${name[0] === 'r' ? 'r' : 'z'} = U x + W h⁽ᵗ⁻¹⁾ + b, its block`),
};

// Tooltip lines for the gated cells' own quantities; null for any other.
export function describeGated(m, quantity, t, i, v) {
  const f = m.response.forward;
  const e = m.response.errors;
  const H = m.hidden;
  if (quantity === 'gate:f_norm' || quantity === 'gate:i_norm') { // f′, i′: made of f and i, no block of their own
    const [own, other] = quantity === 'gate:f_norm' ? ['forget', 'input'] : ['input', 'forget'];
    const l = letter(m, quantity.slice(5));
    return [`${l}${sup(t)}[${i}] = ${exact(v)}`, `${l} = ${letter(m, own)} / (f + i): the share of the ${own} gate`,
      `f${sup(t)}[${i}] = ${exact(value(m, 'forget', t, i))},  i${sup(t)}[${i}] = ${exact(value(m, 'input', t, i))}`,
      quantity === 'gate:f_norm' ? 'α = f′: going back, δh is multiplied by it' : `f′ + i′ = 1 (${other} is the other share)`];
  }
  if (quantity.startsWith('gate:')) {
    const name = quantity.slice(5);
    const k = m.gates.indexOf(name);
    const l = letter(m, name);
    return [`${l}${sup(t)}[${i}] = ${exact(v)}`, `${name} gate: ${l} = ${gatesOf(m.cell)[name].fn}(a_${l}),  a_${l}${sup(t)}[${i}] = ${exact(f.a[t][k * H + i])}`,
      relabel(PRE[m.cell](name)), `δa_${l}${sup(t)}[${i}] = ${exact(e.a[t][k * H + i])}`];
  }
  if (quantity === 's') {
    return [`s${sup(t)}[${i}] = ${exact(v)}`, 's = f ⊙ s⁽ᵗ⁻¹⁾ + i ⊙ g: the cell state',
      `f = ${exact(value(m, 'forget', t, i))},  i = ${exact(value(m, 'input', t, i))},  g = ${exact(value(m, 'candidate', t, i))}`,
      `δs${sup(t)}[${i}] = ${exact(e.s[t][i])}`];
  }
  if (quantity === 'ds') {
    return [`δs${sup(t)}[${i}] = ${exact(v)}`, `δs⁽ᵗ⁾ = δh⁽ᵗ⁾ ⊙ ${letter(m, 'output')} ⊙ (1 − tanh² s⁽ᵗ⁾) + f⁽ᵗ⁺¹⁾ ⊙ δs⁽ᵗ⁺¹⁾`,
      'the error along the cell state: each step back multiplies it by f'];
  }
  if (quantity === 's0') {
    return [`s⁽⁻¹⁾[${i}] = ${exact(v)}`, 'the initial cell state s0', `∂J/∂s⁽⁻¹⁾[${i}] = ${exact(e.s0[i])}  (= f⁽⁰⁾ ⊙ δs⁽⁰⁾)`];
  }
  return null;
}
