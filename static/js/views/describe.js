// What each mark of the unfolded network says when hovered, and the view in words for a screen
// reader: the network draws, this module describes.
import { exact, formatNumber, sup } from '../blocks/format.js';
import { symbolOf } from '../state/meta.js';
import { neededSources } from '../state/model.js';
import { P, relabel } from '../state/notation.js';
import { describeGated, gateSummary } from './gates.js';

// How δh is made, where it differs from the simple RNN's and the LSTM's δh = Vᵀ δo + Wᵀ δa.
const DH_RULE = {
  gru: 'δh⁽ᵗ⁾ = Vᵀ δo⁽ᵗ⁾ + z⁽ᵗ⁺¹⁾ ⊙ δh⁽ᵗ⁺¹⁾ + Wᵀ [δa_r; δa_z; r ⊙ δa_n]⁽ᵗ⁺¹⁾',
  mingru: 'δh⁽ᵗ⁾ = Vᵀ δo⁽ᵗ⁾ + (1 − z⁽ᵗ⁺¹⁾) ⊙ δh⁽ᵗ⁺¹⁾: no W, each unit\'s error scaled by its own gate',
  minlstm: 'δh⁽ᵗ⁾ = Vᵀ δo⁽ᵗ⁾ + f′⁽ᵗ⁺¹⁾ ⊙ δh⁽ᵗ⁺¹⁾: no W, each unit\'s error scaled by its own gate',
};
// α, what the min cells multiply h⁽ᵗ⁻¹⁾ (and δh going back) by.
const ALPHA = { mingru: '(1 − z)', minlstm: 'f′' };

export function describeCell(m, quantity, t, i, v) {
  const f = m.response.forward;
  const e = m.response.errors;
  const g = symbolOf('activations', m.config.activation);
  const lines = {
    x: () => [`x${sup(t)}[${i}] = ${exact(v)}`, m.isText ? `one-hot of '${m.inputLabel(t)}'` : 'input',
      `δx${sup(t)}[${i}] = ${exact(e.x[t][i])}  (δx = ${P('U')}ᵀ δa)`],
    h: () => (m.cell === 'rnn'
      ? [`h${sup(t)}[${i}] = ${exact(v)}`, `h = ${g}(a),  a${sup(t)}[${i}] = ${exact(f.a[t][i])}`, relabel('a = b + W h⁽ᵗ⁻¹⁾ + U x⁽ᵗ⁾')]
      : [`h${sup(t)}[${i}] = ${exact(v)}`, ...gateSummary(m, t, i)]),
    h0: () => [`h⁽⁻¹⁾[${i}] = ${exact(v)}`, 'the initial state h0',
      `∂J/∂h⁽⁻¹⁾[${i}] = ${exact(m.response.errors.h0[i])}  (= ${m.hasW ? `${P('W')}ᵀ δa⁽⁰⁾` : `${ALPHA[m.cell]}⁽⁰⁾ ⊙ δh⁽⁰⁾`})`],
    y_hat: () => [`ŷ${sup(t)}[${i}] = ${exact(v)}`, `ŷ = ${symbolOf('heads', m.config.output)}(o),  o${sup(t)}[${i}] = ${exact(f.o[t][i])}`,
      relabel('o = c + V h⁽ᵗ⁾'), m.isText ? `probability of '${m.response.vocab[i]}'` : `target ${exact(f.y[t][i])}`],
    dh: () => [`δh${sup(t)}[${i}] = ${exact(v)}`,
      relabel(DH_RULE[m.cell] ?? 'δh⁽ᵗ⁾ = Vᵀ δo⁽ᵗ⁾ + Wᵀ δa⁽ᵗ⁺¹⁾'),
      ...(m.cell === 'rnn' ? [`δa${sup(t)}[${i}] = ${exact(e.a[t][i])}`] : [])],
    do: () => [`δo${sup(t)}[${i}] = ${exact(v)}`, f.has_loss[t] ? 'δo = ŷ − y' : 'no loss at this step: δo = 0'],
  };
  return lines[quantity] ? lines[quantity]() : describeGated(m, quantity, t, i, v);
}

// An arrow's label says which shared weights it stands for (or, for f ⊙, what the forget gate does).
const EDGE_ROLES = {
  U: 'input → hidden: reads x⁽ᵗ⁾ into the pre-activation',
  W: 'hidden → hidden: carries h⁽ᵗ⁻¹⁾ into step t, and its transpose carries the errors back',
  V: 'hidden → output: turns h⁽ᵗ⁾ into o⁽ᵗ⁾',
};
// The arrows that stand for no weights: what flows along them.
const EDGE_FLOWS = {
  f: ['f ⊙ s⁽ᵗ⁻¹⁾: the forget gate keeps part of the cell state', 'the error of s goes back through it alone'],
  loss: ['J⁽ᵗ⁾ = loss(ŷ⁽ᵗ⁾, y⁽ᵗ⁾): the output against its target', 'the backward pass starts here: δo = ŷ − y'],
  'gates-s': ['s⁽ᵗ⁾ = f ⊙ s⁽ᵗ⁻¹⁾ + i ⊙ g: the gates write the cell state', 'no weights on this arrow, only the gates\' products'],
  's-h': ['h⁽ᵗ⁾ = q ⊙ tanh(s⁽ᵗ⁾): the output gate q reads the cell state', 'no weights on this arrow'],
  'gates-h': ['h⁽ᵗ⁾ = (1 − z) ⊙ n + z ⊙ h⁽ᵗ⁻¹⁾: the update gate mixes old and new', 'no weights on this arrow'],
};

// What each parameter is, for the θ chips' tooltips (b_hn is the GRU's own: PyTorch's bias_hh, n rows).
const PARAM_ROLES = {
  U: 'input → hidden weights', W: 'hidden → hidden weights (the loop)', b: 'the hidden layer\'s bias',
  b_hn: 'the GRU candidate\'s recurrent bias: added to W_n h before the reset gate r multiplies it',
  V: 'hidden → output weights', c: 'the output layer\'s bias',
};
export const describeParam = (m, name) => `${P(name)}: ${PARAM_ROLES[name]}${m.cell === 'rnn' || !['U', 'W', 'b'].includes(name) ? '' : ', one block a gate'}`
  + (m.hasW || name !== 'U' ? '' : ' (the gates read only x: no W)')
  + '. Shown: its gradient, each step\'s contribution and their sum.';

export function describeEdge(m, name) {
  if (name === 'alpha') {
    return [`h⁽ᵗ⁾ = ${ALPHA[m.cell]} ⊙ h⁽ᵗ⁻¹⁾ + …: no weights on this arrow, only the gate ${ALPHA[m.cell]}, read from x alone`,
      `going back, δh is multiplied by the same ${ALPHA[m.cell]}, unit by unit: a number between 0 and 1, so an error can only shrink`];
  }
  if (name === 'gates-h' && !m.hasW) {
    return [m.cell === 'mingru' ? 'h⁽ᵗ⁾ = (1 − z) ⊙ h⁽ᵗ⁻¹⁾ + z ⊙ h̃: the update gate mixes old and new' : 'h⁽ᵗ⁾ = f′ ⊙ h⁽ᵗ⁻¹⁾ + i′ ⊙ h̃: the normalised gates mix old and new',
      'no weights on this arrow'];
  }
  if (EDGE_FLOWS[name]) return EDGE_FLOWS[name];
  const weights = m.response.weights[name];
  return [`${P(name)}: ${EDGE_ROLES[name]}`, `${weights.length} × ${weights[0].length} weights, the same at every step: `
    + 'its gradient is the sum of every step\'s contribution'];
}

// What the view shows, in words, for a screen reader and the keyboard's user: the selected
// step, its values and what its contribution needs.
export function summarise(m, view) {
  const { sel, colour } = view;
  const t = sel.step ?? 0;
  const f = m.response.forward;
  const parts = [`Step ${t} of ${m.steps - 1} selected`];
  if (m.isText) parts.push(`input '${m.inputLabel(t)}', predicted '${m.predictedLabel(t)}', target '${m.targetLabel(t)}'`);
  parts.push(f.has_loss[t] ? `loss J${sup(t)} = ${exact(f.loss[t])}` : 'no loss at this step');
  parts.push(`h${sup(t)} = [${f.h[t].slice(0, 4).map((v) => formatNumber(v, 4)).join(', ')}${m.hidden > 4 ? ', …' : ''}]`);
  if (colour === 'source') {
    parts.push(sel.source === null ? 'every loss traced in its own colour' : `tracing the error of J${sup(sel.source)}`);
  } else {
    const needed = neededSources(m, sel.param, t);
    parts.push(`(∂J/∂${P(sel.param)})${sup(t)}, norm ${exact(m.response.gradients.norms[sel.param][t])}, needs the errors of `
      + (needed.length ? `the losses at steps ${needed.join(', ')}` : 'no loss'));
  }
  return `${parts.join('; ')}. Arrow keys move the step${colour === 'source' ? ' (by source: the traced loss)' : ''}.`;
}

// A column where no square answers: the step, its input and target, its loss and the size of
// its contribution to the selected parameter (t < 0: the initial state's column).
export function describeStep(m, t, param) {
  if (t < 0) {
    return ['before step 0: the initial state', `h⁽⁻¹⁾${m.hasState ? ' and s⁽⁻¹⁾' : ''}, zero unless given`,
      'hover its squares for their values'];
  }
  const f = m.response.forward;
  const norm = m.response.gradients?.norms?.[param]?.[t];
  return [
    `step ${t} of ${m.steps - 1}`,
    m.isText ? `input '${m.inputLabel(t)}', target '${m.targetLabel(t)}'`
      : `input x${sup(t)} = [${f.x[t].map((v) => formatNumber(v, 4)).join(', ')}]`,
    f.has_loss[t] ? `loss J${sup(t)} = ${exact(f.loss[t])}` : 'no loss at this step',
    ...(norm === undefined ? [] : [`‖(∂J/∂${P(param)})${sup(t)}‖ = ${exact(norm)}`]),
    'click to select this step',
  ];
}

// The answer in one line, above the network.
export function headline(model) {
  const { config } = model;
  const cellPart = {
    rnn: () => `ρ(${P('W')}) = ${formatNumber(config.spectral_radius, 4)}`,
    lstm: () => `LSTM, forget bias ${config.forget_bias ?? 'from the weights'}`,
    gru: () => `GRU${config.update_bias === undefined ? '' : `, update bias ${config.update_bias}`}`,
    mingru: () => `minGRU (no W)${config.update_bias === undefined ? '' : `, update bias ${config.update_bias}`}`,
    minlstm: () => `minLSTM (no W), forget bias ${config.forget_bias ?? 'from the weights'}`,
  }[model.cell]();
  return `T = ${model.steps} steps · H = ${model.hidden} · J = ${formatNumber(model.response.forward.total_loss, 6)}`
    + ` · ${cellPart} · ${config.truncate ? `k = ${config.truncate}` : 'full BPTT'}`;
}
