// The lesson: BPTT told as a story, one step at a time, drawn with the live answer. Each step
// says which request to show (on top of BASE, or a preset's), which view (colour, selected
// step and parameter, the player's position), which regions of the page matter (the rest is
// dimmed), a few sentences and one equation with the numbers of the answer on screen.
import { formatNumber as fmt, sup } from '../blocks/format.js';
import { P } from '../state/notation.js';

// The lesson's network: "hello" through a small simple RNN (4 steps, 4 characters, H = 4),
// small enough to read every number.
export const BASE = {
  kind: 'text', sequence: 'hello', cell: 'rnn', task: 'many-to-many', hidden_size: 4, activation: 'tanh',
  output: 'auto', seed: 0, rho: null, forget_bias: null, update_bias: null, truncate: null,
};

const vec = (values, n = 4) => `[${values.slice(0, n).map((v) => fmt(v, 3)).join(', ')}${values.length > n ? ', …' : ''}]`;
const f = (m) => m.response.forward;
const e = (m) => m.response.errors;
const norm = (m, param, t) => m.response.gradients.norms[param][t];

export const STEPS = [
  {
    title: 'One cell, folded',
    view: { folded: true },
    regions: ['folded'],
    text: () => `This is the whole simple RNN: one cell that reads an input x, keeps a hidden state h and writes an output o. `
      + `The loop ${P('W')} hands h back to the cell before it reads the next character. However long the text, `
      + `there is one set of weights: ${P('U')}, ${P('W')}, ${P('V')} and the biases ${P('b')}, ${P('c')}.`,
    equation: () => `h⁽ᵗ⁾ = tanh(${P('b')} + ${P('W')} h⁽ᵗ⁻¹⁾ + ${P('U')} x⁽ᵗ⁾)   and   o⁽ᵗ⁾ = ${P('c')} + ${P('V')} h⁽ᵗ⁾`,
  },
  {
    title: 'Unfolded in time',
    view: { position: 'forward-end' },
    regions: ['network'],
    text: (m) => `Unrolling the loop draws one column per step: “hello” gives ${m.steps} steps, t = 0 … ${m.steps - 1} `
      + `(the last character is only ever a target). Every column uses the same ${P('U')}, ${P('W')} and ${P('V')}; `
      + `the arrows marked ${P('W')} carry h from each step to the next. It is one network, drawn ${m.steps} times.`,
    equation: (m) => `T = ${m.steps} steps, H = ${m.hidden} hidden units, ${m.response.vocab.length} characters (one-hot inputs)`,
  },
  {
    title: 'One step forward',
    view: { position: 0, step: 0 },
    regions: ['network', 'equations'],
    text: () => 'At t = 0 the cell reads x⁽⁰⁾, the one-hot vector of “h”, and the initial state h⁽⁻¹⁾, which is zero. '
      + 'It mixes them into the pre-activation a⁽⁰⁾ and squashes that with tanh into h⁽⁰⁾. The equations panel shows '
      + 'every number of this step; hover a cell of the network to see one value exactly.',
    equation: (m) => `h⁽⁰⁾ = tanh(${P('b')} + ${P('W')} h⁽⁻¹⁾ + ${P('U')} x⁽⁰⁾) = ${vec(f(m).h[0])}`,
  },
  {
    title: 'The whole forward pass',
    view: { position: 'forward-end', step: 3 },
    regions: ['network'],
    text: (m) => {
      const right = m.sources.filter((t) => m.predictedLabel(t) === m.targetLabel(t)).length;
      return 'Each step starts from the state the previous one left behind, so h⁽³⁾ depends on every character before it. '
        + `Above each column is the network's guess ŷ for the next character beside the true one: with weights that `
        + `have not been trained, ${right} of ${m.steps} guesses are right (✓).`;
    },
    equation: (m) => `ŷ⁽ᵗ⁾ = softmax(${P('c')} + ${P('V')} h⁽ᵗ⁾):  ŷ⁽³⁾ = ${vec(f(m).y_hat[3])}`,
  },
  {
    title: 'A loss at every step',
    view: { position: 'forward-end', step: 0 },
    regions: ['network'],
    text: () => 'Every guess is scored against the true next character: J⁽ᵗ⁾ is the cross-entropy, −log of the '
      + 'probability ŷ gave to the right character. The pills above the columns show each one. Learning means '
      + 'lowering their sum J, and for that we need its derivatives.',
    equation: (m) => `J = ${f(m).loss.map((_, t) => `J${sup(t)}`).join(' + ')} = ${f(m).loss.map((v) => fmt(v, 3)).join(' + ')} = ${fmt(f(m).total_loss, 4)}`,
  },
  {
    title: 'Errors are not gradients',
    view: { position: 'backward:3', step: 3 },
    regions: ['network', 'equations'],
    text: () => 'Backpropagation computes two different kinds of derivative. Errors, written δ, belong to neurons: '
      + 'δo⁽ᵗ⁾ = ∂J/∂o⁽ᵗ⁾ and δh⁽ᵗ⁾ = ∂J/∂h⁽ᵗ⁾, one vector per step, drawn in the δ rows. Gradients belong to '
      + `parameters: ∂J/∂${P('W')} is a matrix shaped like ${P('W')}. The errors come first; the gradients are built from them. `
      + 'The backward pass starts at the last step, where the output error is simply the guess minus the truth. '
      + `(The frame on step 3's ${P('W')} arrow marks that step's share of ∂J/∂${P('W')}: step 8 comes back to it.)`,
    equation: (m) => `δo⁽³⁾ = ŷ⁽³⁾ − y⁽³⁾ = ${vec(e(m).o[3])}`,
  },
  {
    title: 'δh: an error from two directions',
    view: { position: 'backward:1', step: 1 },
    regions: ['network', 'equations'],
    text: (m) => `Going back, the hidden state h⁽¹⁾ is blamed for two things: its own output at step 1, through ${P('V')}, `
      + `and everything after it, through the next step's ${P('W')}. The second arrives as ${P('W')}ᵀ δa⁽²⁾, where δa = δh ⊙ tanh′(a) `
      + `is the error of the pre-activation a, just before the squashing. At the last step only the first part exists. `
      + `The backward pass has now come back to step 1 (it runs from step ${m.steps - 1} to 0).`,
    equation: (m) => `δh⁽¹⁾ = ${P('V')}ᵀ δo⁽¹⁾ + ${P('W')}ᵀ δa⁽²⁾ = ${vec(e(m).h[1])}`,
  },
  {
    title: 'Which errors one step\'s gradient needs',
    view: { position: 'end', step: 1, param: 'W', colour: 'gradient' },
    regions: ['network'],
    text: () => `${P('W')} is used at every step, so every step t makes its own contribution (∂J/∂${P('W')})⁽ᵗ⁾. The frame marks `
      + `the one of step 1. It is built from δa⁽¹⁾, and δa⁽¹⁾ holds the errors of every loss from step 1 on: the δo boxes of `
      + `J⁽¹⁾, J⁽²⁾ and J⁽³⁾ and their paths back along ${P('W')} light up in step 1's colour. J⁽⁰⁾'s does not: that loss `
      + 'was made before step 1 could change anything.',
    equation: (m) => `(∂J/∂${P('W')})⁽¹⁾ = δa⁽¹⁾ h⁽⁰⁾ᵀ,   its size ‖·‖ = ${fmt(norm(m, 'W', 1), 4)}`,
  },
  {
    title: 'Add up the steps, update once',
    view: { position: 'end', step: 1, param: 'W' },
    regions: ['gradient'],
    text: (m) => `Because ${P('W')} is shared, its gradient is the sum of the ${m.steps} contributions, one bar each here. Each bar `
      + 'is split by the loss its error came from, each loss in the colour of its own step. The weights change once, after the whole sequence, by this sum: '
      + `never once per step. (∂J/∂${P('W')})⁽⁰⁾ is zero because h⁽⁻¹⁾ is.`,
    equation: (m) => `∂J/∂${P('W')} = ${m.response.gradients.norms.W.map((_, t) => `(∂J/∂${P('W')})${sup(t)}`).join(' + ')}`,
  },
  {
    title: 'Each loss in its own colour',
    view: { position: 'end', colour: 'source', source: null, step: 0 },
    regions: ['network', 'flows'],
    text: () => 'Colour by source turns the picture around: each loss J⁽ˢ⁾ sends its error back in its own colour, and '
      + 'a band\'s width says how much of it is left, as a share of what it was at its own step. The flow matrix, below the network, '
      + 'writes the sizes themselves as a grid: row s is a loss, column t a step its error reaches, and the colour is the size of that error. '
      + 'Hover a loss to follow it alone.',
    equation: (m) => `F[3][0] = ‖δh⁽⁰←³⁾‖ = ${fmt(m.response.flows.h[3][0], 4)}   (the error of J⁽³⁾ left at step 0)`,
  },
  {
    title: 'Truncated BPTT',
    request: { sequence: 'hello world', truncate: 2 },
    view: { position: 'end', colour: 'source', step: 4 },
    regions: ['flows', 'explorer'],
    text: (m) => `A longer text now, “hello world”, with the truncation k = ${m.window} set in the form. Long texts make full `
      + `backpropagation slow, so in practice each error is cut after k steps. With k = ${m.window} `
      + `a loss's error reaches only its own step and the one before: the flow matrix keeps a band ${m.window} wide and the rest `
      + 'is zero. The gradient becomes an approximation; the explorer says how far it is from the full one.',
    equation: (m) => {
      const off = m.response.truncation?.relative?.W;
      return `k = ${m.window}: ∂J/∂${P('W')} is ${off === undefined ? '…' : `${fmt(100 * off, 3)}%`} away from the full BPTT gradient`;
    },
  },
  {
    title: 'Errors that vanish',
    preset: 'vanishing',
    view: { position: 'end', colour: 'source', source: 'last', step: 0 },
    regions: ['network', 'explorer'],
    // every claim from the answer on screen: the learner drags ρ(W) and the card follows (issue 25, item 2)
    text: (m) => {
      const gain = m.response.gain?.h ?? [];
      const far = gain.length - 1;
      const left = gain[far];
      const peak = Math.max(...gain.filter((g) => g !== null));
      const rho = m.config.spectral_radius;
      let fate;
      if (left === null || left === undefined) fate = 'is gone entirely';
      else if (left < 0.01) fate = `has shrunk to ${fmt(left, 2)} of itself: the band of the last loss is a thread`;
      else if (left > 1) fate = `has grown to ${fmt(left, 2)} times itself: it explodes`;
      else fate = `keeps ${fmt(left, 2)} of itself`;
      const rose = peak > 1 && left !== null && left < peak ? ` It first grew (to ${fmt(peak, 2)} times itself) and then fell back: `
        + 'large weights push tanh into saturation, where tanh′ is near 0.' : '';
      return `A sentence of ${m.steps} steps with one loss, at the end (the preset “Vanishing gradients”; ρ(${P('W')}) = `
        + `${fmt(rho, 2)} now). Every step back multiplies an error by ${P('W')}ᵀ and by tanh′, which is at most 1. By the first `
        + `character, ${far} steps back, the last loss's error ${fate}.${rose} Below, the explorer plots what is left against `
        + `the distance. Drag its ρ(${P('W')}) slider: above 1, an error can grow, but only while ‖${P('W')}‖ times tanh′ stays `
        + 'above 1, and a network with large weights saturates, which pulls it back down.';
    },
    equation: (m) => {
      const gain = m.response.gain?.h ?? [];
      const d = Math.min(10, gain.length - 1);
      return `G(d): what is left of an error d steps back.  G(${d}) = ${gain[d] === null || gain[d] === undefined ? '0' : fmt(gain[d], 3)}`;
    },
  },
  {
    title: 'Watch it learn',
    request: { sequence: 'hello hello hello ', hidden_size: 16 },
    view: { position: 'end', colour: 'source', step: 0 },
    regions: ['training', 'network'],
    text: () => 'Press ▶ Train. Each training step is exactly what you have just seen: a forward pass, BPTT, the sums, '
      + 'and one update of every parameter. A loss curve appears and falls, the ✗ above the columns turn into ✓, and a '
      + 'snapshot of the whole page is kept every few steps so you can go back.',
    equation: () => `The simplest update, gradient descent: ${P('W')} ← ${P('W')} − η · ∂J/∂${P('W')}, for every parameter. `
      + 'The default, Adam, scales each entry\'s step by running averages of its gradients.',
  },
  {
    title: 'The LSTM\'s cell path',
    preset: 'carousel',
    view: { position: 'end', colour: 'source', source: 'last', step: 0, flowpath: 's' },
    regions: ['network', 'explorer'],
    text: () => 'The same sentence through an LSTM. It adds a second state, the cell state s (its own row, under h); the '
      + 'gates i, f, g, q decide what is written into s, what is kept of it (f, the forget gate) and how much of it shows '
      + 'in h (q, the output gate). The error of s goes back through the forget gates alone, with no weight matrix and '
      + 'no squashing in the way: where f stays near 1 it hardly fades, and the last loss still reaches these first '
      + 'characters (the dashed lane). That is what the simple RNN could not do on this sentence.',
    equation: () => 'δs⁽ᵗ⁾ = δh⁽ᵗ⁾ ⊙ q ⊙ (1 − tanh² s⁽ᵗ⁾) + f⁽ᵗ⁺¹⁾ ⊙ δs⁽ᵗ⁺¹⁾',
  },
];
