// The sentences of the stack view (issue 28), each built from the answer on screen: where the
// error is largest or where a traced loss's reaches, what each layer's gain is at one distance,
// and the toolbar's line about the model.
import { formatNumber, sup } from '../blocks/format.js';
import { cellInfo } from '../state/meta.js';

const d3 = window.d3;
export const norms = (matrix) => matrix.map((row) => Math.hypot(...row));

// What the numbers say, as sentences: where the error is largest, or where a traced loss's reaches.
export function caption(answer, source) {
  const layers = answer.depth.layers;
  const L = layers.length;
  const steps = answer.config.steps;
  if (source === null) {
    let best = { v: -1 };
    for (const layer of layers) {
      const size = norms(answer.depth.layers[layer.layer - 1].directions.map((d) => d.errors.h)
        .reduce((a, b) => a.map((row, t) => [...row, ...b[t]])));
      size.forEach((v, t) => { if (v > best.v) best = { v, t, l: layer.layer }; });
    }
    return `Each circle is one layer's state at one step, coloured by the size of its error ‖δh‖ (every loss's, summed). `
      + `The largest is at layer ${best.l}, step ${best.t} (${formatNumber(best.v, 3)}). Click a loss J to follow its error down the stack.`;
  }
  const parts = layers.map((layer) => {
    const reached = d3.range(steps).filter((t) => layer.flows.h[source][t] > 0);
    if (!reached.length) return `layer ${layer.layer}: nowhere`;
    const after = reached.filter((t) => t > source).length;
    const later = after ? ` (${after} of them after step ${source})` : '';
    return `layer ${layer.layer}: steps ${reached[0]}–${reached[reached.length - 1]}${later}`;
  });
  const top = layers[L - 1].flows.h[source][source];
  const bottom = layers[0].flows.h[source][source];
  const kept = L > 1 && top > 0 ? ` At step ${source} itself, layer 1 receives ${formatNumber(bottom / top, 3)} times the error `
    + `layer ${L} receives (‖δh${sup(`1,${source}←${source}`)}‖ = ${formatNumber(bottom, 3)}, ‖δh${sup(`${L},${source}←${source}`)}‖ = ${formatNumber(top, 3)}).` : '';
  const forward = layers.slice(0, -1).some((layer) => layer.flows.h[source].some((v, t) => t > source && v > 0));
  const why = forward ? ' Below the top it also reaches steps after the loss: the layer above\'s reverse direction, which '
    + 'reads the text from its end, hands it to later steps.' : '';
  return `J${sup(source)}'s error reaches ${parts.join('; ')}.${kept}${why}`;
}

// What each layer's gain says at one distance, from the answer's numbers.
export function gainCaption(answer) {
  const layers = answer.depth.layers;
  const d = Math.min(5, answer.config.steps - 1);
  const said = layers.map((layer) => {
    const v = layer.gain.back[d];
    return `layer ${layer.layer} ${v === null ? 'none' : formatNumber(v, 3)}`;
  });
  return `Each layer's gain Gₗ(d): how much of a loss's error, as the top layer receives it at the loss's own step, `
    + `reaches that layer d steps back (geometric mean over the losses; dashed: d steps ahead). At d = ${d}: ${said.join(', ')}.`;
}

// The toolbar's one line about the answer on screen.
export function stackHeadline(answer) {
  const { config } = answer;
  const ways = config.bidirectional ? ' bidirectional' : '';
  const embedded = config.embedding ? `, embedding ${config.embedding}` : '';
  const cell = cellInfo(config.cell).title;
  return `${config.layers}-layer${ways} ${cell}, H = ${config.hidden_size}${embedded} · T = ${config.steps} · `
    + `J = ${formatNumber(answer.forward.total_loss, 4)}`;
}

