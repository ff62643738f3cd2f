// The page's view of one API response: the response itself plus indexes the views share.
// No arithmetic on the numbers happens here; every value comes from the API.
import { visibleChar } from '../blocks/format.js';
import { rowsFor } from '../config.js';


const hot = (row) => (row.every((v) => v === 0 || v === 1) && row.filter((v) => v === 1).length === 1
  ? `#${row.indexOf(1)}` : '');

export function buildModel(response) {
  const { config, forward } = response;
  const steps = config.steps;
  const sources = forward.has_loss.flatMap((on, s) => (on ? [s] : []));
  const vocab = response.vocab;
  const charAt = (oneHot) => {
    const i = oneHot.indexOf(1);
    return i >= 0 ? visibleChar(vocab[i]) : '';
  };
  const cell = config.cell ?? 'rnn';
  return {
    response,
    config,
    cell,
    gates: Object.keys(forward.gates ?? {}), // the minLSTM's normalised f′, i′ after its three blocks
    params: Object.keys(response.weights),  // U, W, b (b_hn), V, c in the cell's order
    hasState: cell === 'lstm',
    // the min cells' gates read only x: h⁽ᵗ⁻¹⁾ reaches h⁽ᵗ⁾ through α alone (no W)
    hasW: 'W' in response.weights,
    ...rowsFor(cell),
    steps,
    hidden: config.hidden_size,
    sources,
    window: config.truncate ?? steps + 1,
    // does truncation cut a loss's error before it reaches step t? (some J^(s) with s − t ≥ k)
    cuts: (t) => config.truncate !== null && config.truncate !== undefined
      && sources.some((s) => s - t >= config.truncate),
    isText: Boolean(vocab),
    // a character, a number, or the symbol of a one-hot vector (a generated task's classes)
    inputLabel: (t) => (vocab ? charAt(forward.x[t]) : forward.x[t].length === 1 ? String(forward.x[t][0]) : hot(forward.x[t])),
    targetLabel: (t) => (vocab ? charAt(forward.y[t]) : ''),
    predictedLabel: (t) => {
      if (!vocab) return '';
      const row = forward.y_hat[t];
      return visibleChar(vocab[row.indexOf(Math.max(...row))]);
    },
  };
}

// Does the error of loss J^(s) reach step t? (MATH.md: s >= t, s in S, s - t < k)
export function reaches(model, s, t) {
  return s >= t && s - t < model.window && model.response.forward.has_loss[s];
}

// The sources whose errors the contribution (dJ/dtheta)^(t) needs: for U, W and b every loss
// whose error reaches step t; for V and c only the loss at step t itself (they act after h^(t)).
export function neededSources(model, param, t) {
  if (t === null || t === undefined) return [];
  if (param === 'V' || param === 'c') return model.response.forward.has_loss[t] ? [t] : [];
  // U, W, b (and the GRU's b_hn) act before h^(t): every loss whose error reaches step t
  return model.sources.filter((s) => reaches(model, s, t));
}
