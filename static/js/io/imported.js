// Imported weights as the page keeps them: the record an import makes (what the import panel
// shows and the store holds), and where a reload finds it again (for a page on the same cell and
// H: the link carries both). Canonical weights the page did not read from a file (a trained
// checkpoint, a cell of the race) are made into the same record.
import { recall, remember } from '../state/keep.js';

const key = (cell, hidden) => `${cell}|${hidden}`;

export function canonicalImport({ cell, weights, name, notes }) {
  return {
    format: 'canonical', cell, arrays: weights, vocab: null, activation: null, name, notes,
    mapping: Object.fromEntries(Object.keys(weights).map((k) => [k, k])),
  };
}

// false when the browser would not keep it (too large for its storage)
export const keepImport = (found) => remember('imported', key(found.cell, found.arrays.V[0].length), found);
export const keptImport = (cell, hidden) => recall('imported', key(cell, hidden));
