// One state of a stack picked (layer l, direction, step t): its error written as docs/MATH.md,
// section 19, writes it, each term's size computed from the answer on screen, and its step's
// contribution to the layer's parameters with the losses whose errors it needs.
//
//   δh^(l,t) = [l = L] Vᵀ δo^(t)  +  (the recurrent term, from the step before in its own time)
//              +  U_{l+1}ᵀ δa^(l+1,t)  (both directions of the layer above, this direction's half)
import { formatNumber, sup } from '../blocks/format.js';

const norm = (v) => Math.hypot(...v);
const key = (name, layer, d) => `${name}_l${layer}${d ? '_reverse' : ''}`;

// Σ_j M[j][offset + i] v[j] for i < H: a matrix's columns offset..offset+H applied transposed.
function transposedPart(M, v, offset, H) {
  const out = new Array(H).fill(0);
  for (let j = 0; j < M.length; j += 1) {
    const row = M[j];
    const a = v[j];
    if (a === 0) continue;
    for (let i = 0; i < H; i += 1) out[i] += row[offset + i] * a;
  }
  return out;
}

// The three terms of δh^(l,t) for one direction d, each a vector: the output layer's (top only),
// the layer above's, and the recurrent one (what is left: δh minus the other two).
export function errorTerms(answer, layer, d, t) {
  const layers = answer.depth.layers;
  const L = layers.length;
  const here = layers[layer - 1].directions[d];
  const H = here.errors.h[t].length;
  const zero = new Array(H).fill(0);
  const own = layer === L ? transposedPart(answer.weights.V, answer.errors.o[t], d * H, H) : null;
  let above = null;
  if (layer < L) {
    above = zero.slice();
    layers[layer].directions.forEach((upper, u) => {
      const part = transposedPart(answer.weights[key('U', layer + 1, u)], upper.errors.a[t], d * H, H);
      part.forEach((value, i) => { above[i] += value; });
    });
  }
  const recurrent = here.errors.h[t].map((v, i) => v - (own?.[i] ?? 0) - (above?.[i] ?? 0));
  return { total: here.errors.h[t], own, above, recurrent };
}

// What the picked state says, as lines of text, and the losses whose errors reach it.
export function explainStep(answer, { layer, d, t }) {
  const L = answer.depth.layers.length;
  const direction = answer.depth.directions[d];
  const terms = errorTerms(answer, layer, d, t);
  const flows = answer.depth.layers[layer - 1].directions[d].flows.h;
  const needed = flows.map((row, s) => (row[t] > 0 ? s : null)).filter((s) => s !== null);
  const at = sup(`${layer},${t}`);
  const parts = [];
  if (terms.own) parts.push(`Vᵀδo${sup(t)} (‖·‖ = ${formatNumber(norm(terms.own), 3)})`);
  const next = direction === 'forward' ? t + 1 : t - 1; // the step that read h^(l,t) in the direction's own time
  if (next >= 0 && next < answer.config.steps) {
    parts.push(`the recurrent term from step ${next} (‖·‖ = ${formatNumber(norm(terms.recurrent), 3)})`);
  }
  if (terms.above) parts.push(`U${sup(layer + 1)}ᵀδa${sup(`${layer + 1},${t}`)} from layer ${layer + 1} (‖·‖ = ${formatNumber(norm(terms.above), 3)})`);
  const equation = `δh${at} (‖·‖ = ${formatNumber(norm(terms.total), 3)}) = ${parts.join(' + ')}.`;
  const names = ['U', 'W', 'b'].map((p) => [p, answer.gradients.norms[key(p, layer, d)]]).filter(([, v]) => v);
  const sizes = names.map(([p, v]) => `‖(∂J/∂${p}${sup(layer)})${sup(t)}‖ = ${formatNumber(v[t], 3)}`).join(', ');
  const span = needed.length ? `J${sup(needed[0])} … J${sup(needed[needed.length - 1])}` : 'none';
  const contribution = `Step ${t}'s contribution to layer ${layer}'s ${direction} weights is δa${at} times its inputs: `
    + `${sizes}. It needs the errors of ${needed.length} of the ${answer.forward.has_loss.filter(Boolean).length} losses `
    + `(${span}, lit above)${layer < L ? ', each arriving along this row, from the layer above, or both' : ''}.`;
  return { lines: [`Layer ${layer}, ${direction}, step ${t}: ${equation}`, contribution], needed };
}
