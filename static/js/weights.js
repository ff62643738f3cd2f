// Import and export. The weights on screen: imported ones fix the cell, H, the seed and the
// forget bias, so the form follows them and locks those fields until the seeded weights are
// back; the exporter writes the weights at full precision (trained, else imported, else the
// seeded ones), and the panels once they are up to date (flush).
import { askJSON } from './api.js';
import * as controls from './controls.js';
import { createExporter, createImporter } from './port.js';
import { toRequest } from './state.js';

const $ = (id) => document.getElementById(id);
const SEEDED_FIELDS = ['hidden_size', 'seed', 'forget_bias'];

export function lockSeededFields(found) {
  for (const id of SEEDED_FIELDS) {
    $(id).disabled = Boolean(found);
    $(id).title = found ? 'Set by the imported weights (Back to seeded weights frees it)' : '';
  }
}

// trainer: {invalidate(), weights()}; run(): asks for the answer of the store's state;
// flush(): brings every panel up to date.
export function setupImportExport({ store, trainer, run, flush }) {
  function useWeights(found) {
    const patch = { weights: found };
    if (found) Object.assign(patch, { cell: found.cell, hidden_size: found.arrays.W[0].length }, found.activation ? { activation: found.activation } : {});
    if (found?.vocab) patch.kind = 'text';
    store.set(patch);
    controls.writeForm(store.get());
    lockSeededFields(found);
    trainer.invalidate();
    run();
  }
  createImporter({ askJSON, onImport: useWeights, onForget: () => useWeights(null) });
  createExporter({
    askJSON,
    flush,
    state: () => store.get(),
    request: () => toRequest(store.get()),
    weights: async () => trainer.weights() ?? store.get().weights?.arrays
      ?? (await askJSON('/api/v1/unfold', { ...toRequest(store.get()), include: [], digits: 17 }, 'export')).data?.weights,
  });
}
