// The page's vocabulary and limits, as the server embeds them in the page (app/meta.py, the
// same data as GET /api/v1/meta). Names, labels, defaults and limits come from here only.
const embedded = document.getElementById('meta');
export const META = Object.freeze(JSON.parse(embedded.textContent));

export const CELLS = META.cells.map((c) => c.name);
export const cellInfo = (name) => META.cells.find((c) => c.name === name) ?? META.cells[0];
// Every parameter any cell has, in the order answers list them.
export const ALL_PARAMS = [...new Set(META.cells.flatMap((c) => c.params))];
export const symbolOf = (list, name) => META[list].find((d) => d.name === name)?.symbol ?? name;
// The letter and function of each gate of a cell: {input: {letter: 'i', fn: 'σ'}, ...}
export const gatesOf = (cell) => Object.fromEntries(cellInfo(cell).gates.map((g) => [g.name, g]));
