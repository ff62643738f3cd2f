// The equations of MATH.md for each cell, as rows [phase, left side, right side, values]:
// the numbers are the selected step's, from the API's answer.
import { delta as d, el, mi, mn, mo, row, sub, sup, transposed } from '../blocks/mathml.js';
import { sup as supText } from '../blocks/format.js';
import { symbolOf } from '../state/meta.js';
import { paramML as p } from '../state/notation.js';


const block = (values, k, H) => values.slice(k * H, (k + 1) * H);
const prevOf = (name, t) => (t === 0 ? el('msup', mi(name), row(mo('('), mn(-1), mo(')'))) : sup(name, t - 1));
const call = (fn, arg) => [mi(fn), mo('('), arg, mo(')')];

// The min cells' h̃, the candidate h with a tilde (no tanh: h̃ = a_h), and their f′, i′
function tilde() {
  const accent = mo('˜');
  accent.setAttribute('stretchy', 'false');
  const node = el('mover', mi('h'), accent);
  node.setAttribute('accent', 'true');
  return node;
}
const primed = (x, t) => (t === undefined ? row(mi(x), mo('′')) : sup(row(mi(x), mo('′')), t));
const oneMinus = (x) => [mo('('), mn(1), mo('−'), ...x, mo(')')];
const MIN_CELLS = ['mingru', 'minlstm'];

// The minGRU and the minLSTM (MATH.md, "minGRU and minLSTM"): a = b + U x, no W, the gates read
// only x, and h = α ⊙ h′ + β with α = 1 − z (minGRU) or f′ (minLSTM).
function minForwardRows(m, t) {
  const f = m.response.forward;
  const g = f.gates;
  const pre = ['forward', sup('a', t), [p('b'), mo('+'), p('U'), sup('x', t)], f.a[t]];
  const sigma = (name, letter) => ['forward', sup(letter, t), call('σ', sub('a', letter)), g[name][t]];
  const candidate = ['forward', sup(tilde(), t), [sub('a', 'h')], g.candidate[t]];
  const share = (name, letter) => ['forward', primed(letter, t),
    [mi(letter), mo('/'), mo('('), mi('f'), mo('+'), mi('i'), mo(')')], g[name][t]];
  if (m.cell === 'mingru') {
    return [pre, sigma('update', 'z'), candidate,
      ['forward', sup('h', t), [...oneMinus([mi('z')]), mo('⊙'), prevOf('h', t), mo('+'), mi('z'), mo('⊙'), tilde()], f.h[t]]];
  }
  return [pre, sigma('forget', 'f'), sigma('input', 'i'), candidate,
    share('f_norm', 'f'), share('i_norm', 'i'),
    ['forward', sup('h', t), [primed('f'), mo('⊙'), prevOf('h', t), mo('+'), primed('i'), mo('⊙'), tilde()], f.h[t]]];
}

function forwardRows(m, t) {
  const f = m.response.forward;
  const H = m.hidden;
  if (MIN_CELLS.includes(m.cell)) return minForwardRows(m, t);
  const prev = () => prevOf('h', t);
  const pre = ['forward', sup('a', t), [p('b'), mo('+'), p('W'), prev(), mo('+'), p('U'), sup('x', t)], f.a[t]];
  if (m.cell === 'rnn') return [pre, ['forward', sup('h', t), call(symbolOf('activations', m.config.activation), sup('a', t)), f.h[t]]];
  const gate = (name, letter, fn) => ['forward', sup(letter, t), call(fn, sub('a', letter)), f.gates[name][t]];
  if (m.cell === 'lstm') {
    return [pre, gate('input', 'i', 'σ'), gate('forget', 'f', 'σ'), gate('candidate', 'g', 'tanh'), gate('output', 'q', 'σ'),
      ['forward', sup('s', t), [mi('f'), mo('⊙'), prevOf('s', t), mo('+'), mi('i'), mo('⊙'), mi('g')], f.s[t]],
      ['forward', sup('h', t), [mi('q'), mo('⊙'), ...call('tanh', sup('s', t))], f.h[t]]];
  }
  const candidate = [p('U', 'n'), sup('x', t), mo('+'), p('b', 'n'), mo('+'), mi('r'), mo('⊙'),
    mo('('), p('W', 'n'), prev(), mo('+'), p('b_hn'), mo(')')];
  return [gate('reset', 'r', 'σ'), gate('update', 'z', 'σ'),
    ['forward', sub('a', 'n'), candidate, block(f.a[t], 2, H)], gate('candidate', 'n', 'tanh'),
    ['forward', sup('h', t), [mo('('), mn(1), mo('−'), mi('z'), mo(')'), mo('⊙'), mi('n'), mo('+'), mi('z'), mo('⊙'), prev()], f.h[t]]];
}

// δ name^(t←s): the error at step t that came from the loss J^(s)
const fromSource = (name, t, s) => row(mi('δ'), el('msup', mi(name), row(mo('('), el('mn', String(t)), mo('←'), el('mn', String(s)), mo(')'))));

// Σ_{0 ≤ s−t < k} δ name^(t←s)
function windowSum(name, t, k) {
  const range = row(mn(0), mo('≤'), mi('s'), mo('−'), el('mn', String(t)), mo('<'), el('mn', String(k)));
  return [el('munder', mo('∑'), range), fromSource(name, t, 's')];
}

// Under truncation the recursion δh^(t) = Vᵀδo^(t) + Wᵀδa^(t+1) no longer gives δh^(t): each
// loss's error is cut k steps back from its own step, so δh^(t) is the sum of the sources that
// still reach t, each shown as a term where the answer carries them (flows.by_unit).
function truncated(m, t) {
  if (!m.cuts(t)) return null;
  const byUnit = m.response.flows.by_unit;
  const sum = ['backward', d('h', t), windowSum('h', t, m.window), m.response.errors.h[t]];
  if (!byUnit) return [sum];
  const terms = m.sources.filter((s) => s >= t && s - t < m.window).map((s) => [
    'backward term', fromSource('h', t, s),
    [el('mtext', s === t ? 'the loss at this step:' : `J${supText(s)}'s error, ${s - t} step${s - t > 1 ? 's' : ''} back:`)],
    byUnit[s][t],
  ]);
  return [sum, ...terms];
}

// δh^(t) = Vᵀδo^(t) + α^(t+1) ⊙ δh^(t+1): one step back multiplies by the gate α alone
function minBackwardRows(m, t, rows, onlyOutput) {
  const e = m.response.errors;
  const H = m.hidden;
  const alpha = m.cell === 'mingru' ? oneMinus([sup('z', t + 1)]) : [primed('f', t + 1)];
  rows.push(...truncated(m, t) ?? [t === m.steps - 1 ? onlyOutput : ['backward', d('h', t), [transposed(p('V')), d('o', t), mo('+'), ...alpha, mo('⊙'), d('h', t + 1)], e.h[t]]]);
  const gate = (letter, rhs, k) => ['backward', row(mi('δ'), sub('a', letter)), rhs, block(e.a[t], k, H)];
  const dh = () => d('h', t);
  const gap = (a, b) => [mo('('), a, mo('−'), b, mo(')')]; // (h̃ − h′) or (h′ − h̃)
  if (m.cell === 'mingru') {
    rows.push(gate('z', [dh(), mo('⊙'), ...gap(tilde(), prevOf('h', t)), mo('⊙'), mi('z'), ...oneMinus([mi('z')])], 0));
    rows.push(gate('h', [dh(), mo('⊙'), mi('z')], 1));
    return rows;
  }
  const shares = (x) => [primed('f'), primed('i'), ...oneMinus([mi(x)])];
  rows.push(gate('f', [dh(), mo('⊙'), ...gap(prevOf('h', t), tilde()), mo('⊙'), ...shares('f')], 0));
  rows.push(gate('i', [dh(), mo('⊙'), ...gap(tilde(), prevOf('h', t)), mo('⊙'), ...shares('i')], 1));
  rows.push(gate('h', [dh(), mo('⊙'), primed('i')], 2));
  return rows;
}

function backwardRows(m, t) {
  const e = m.response.errors;
  const H = m.hidden;
  // a step without a loss has no target: its δo is 0 because J^(t) is not part of J, whatever ŷ is
  const rows = [m.response.forward.has_loss[t]
    ? ['backward', d('o', t), [sup('ŷ', t), mo('−'), sup('y', t)], e.o[t]]
    : ['backward', d('o', t), [mn(0), el('mtext', `, because J${supText(t)} is not part of the loss (no target at this step)`)],
      e.o[t]]];
  const fromOutput = [transposed(p('V')), d('o', t), mo('+')];
  // at the last step nothing comes back from step t + 1
  const lastStep = t === m.steps - 1;
  const onlyOutput = ['backward', d('h', t), [transposed(p('V')), d('o', t)], e.h[t]];
  if (MIN_CELLS.includes(m.cell)) return minBackwardRows(m, t, rows, onlyOutput);
  if (m.cell === 'gru') {
    const cut = truncated(m, t);
    if (cut) rows.push(...cut);
    else if (lastStep) rows.push(onlyOutput);
    else rows.push(['backward', d('h', t), [...fromOutput, sup('z', t + 1), mo('⊙'), d('h', t + 1), mo('+'), transposed(p('W')),
      sup(row(mo('['), mi('δa_r'), mo(';'), mi('δa_z'), mo(';'), mi('r'), mo('⊙'), mi('δa_n'), mo(']')), t + 1)], e.h[t]]);
    const gate = (letter, rhs, k) => ['backward', row(mi('δ'), sub('a', letter)), rhs, block(e.a[t], k, H)];
    rows.push(gate('n', [d('h', t), mo('⊙'), mo('('), mn(1), mo('−'), mi('z'), mo(')'), mo('⊙'), mo('('), mn(1), mo('−'), el('msup', mi('n'), mn(2)), mo(')')], 2));
    rows.push(gate('z', [d('h', t), mo('⊙'), mo('('), prevOf('h', t), mo('−'), mi('n'), mo(')'), mo('⊙'), mi('z'), mo('('), mn(1), mo('−'), mi('z'), mo(')')], 1));
    rows.push(gate('r', [row(mi('δ'), sub('a', 'n')), mo('⊙'), mo('('), p('W', 'n'), prevOf('h', t), mo('+'), p('b_hn'), mo(')'), mo('⊙'), mi('r'), mo('('), mn(1), mo('−'), mi('r'), mo(')')], 0));
    return rows;
  }
  rows.push(...truncated(m, t) ?? [lastStep ? onlyOutput : ['backward', d('h', t), [...fromOutput, transposed(p('W')), d('a', t + 1)], e.h[t]]]);
  if (m.cell === 'rnn') {
    rows.push(['backward', d('a', t), [mi('g′'), mo('('), sup('a', t), mo(')'), mo('⊙'), d('h', t)], e.a[t]]);
    return rows;
  }
  rows.push(m.cuts(t)
    ? ['backward', d('s', t), windowSum('s', t, m.window), e.s[t]]
    : ['backward', d('s', t), [d('h', t), mo('⊙'), mi('q'), mo('⊙'), mo('('), mn(1), mo('−'), el('msup', mi('tanh'), mn(2)),
      mi('s'), mo(')'), ...(lastStep ? [] : [mo('+'), sup('f', t + 1), mo('⊙'), d('s', t + 1)])], e.s[t]]);
  const gate = (letter, rhs, k) => ['backward', row(mi('δ'), sub('a', letter)), rhs, block(e.a[t], k, H)];
  const sig = (x) => [mi(x), mo('('), mn(1), mo('−'), mi(x), mo(')')];
  rows.push(gate('f', [d('s', t), mo('⊙'), prevOf('s', t), mo('⊙'), ...sig('f')], 1));
  rows.push(gate('i', [d('s', t), mo('⊙'), mi('g'), mo('⊙'), ...sig('i')], 0));
  rows.push(gate('g', [d('s', t), mo('⊙'), mi('i'), mo('⊙'), mo('('), mn(1), mo('−'), el('msup', mi('g'), mn(2)), mo(')')], 2));
  rows.push(gate('q', [d('h', t), mo('⊙'), ...call('tanh', mi('s')), mo('⊙'), ...sig('q')], 3));
  return rows;
}

function contributionRow(m, t, param) {
  const prev = () => prevOf('h', t);
  const weightSide = m.cell === 'gru'
    ? row(mo('['), mi('δa_r'), mo(';'), mi('δa_z'), mo(';'), mi('r'), mo('⊙'), mi('δa_n'), mo(']'))
    : d('a', t);
  const rhs = {
    U: [d('a', t), el('msup', sup('x', t), mi('T'))], W: [weightSide, el('msup', prev(), mi('T'))], b: [d('a', t)],
    b_hn: [mi('r'), mo('⊙'), row(mi('δ'), sub('a', 'n'))],
    V: [d('o', t), el('msup', sup('h', t), mi('T'))], c: [d('o', t)],
  }[param];
  const name = p(param);
  const grad = el('msup', row(mo('('), el('mfrac', row(mi('∂'), mi('J')), row(mi('∂'), name)), mo(')')),
    row(mo('('), el('mn', String(t)), mo(')')));
  return ['gradient', grad, rhs, null, m.response.gradients.norms[param][t]];
}

export function equations(m, t, param) {
  const f = m.response.forward;
  return [
    ...forwardRows(m, t),
    ['forward', sup('o', t), [p('c'), mo('+'), p('V'), sup('h', t)], f.o[t]],
    ['forward', sup('ŷ', t), call(symbolOf('heads', m.config.output), sup('o', t)), f.y_hat[t]],
    ['forward', sup('J', t), [f.has_loss[t] ? mi('loss') : mi('no loss at this step')], [f.loss[t]]],
    ...backwardRows(m, t),
    contributionRow(m, t, param),
  ];
}
