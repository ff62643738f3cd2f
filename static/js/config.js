// Every visual constant of the page in one place.
const d3 = window.d3;

export const layout = {
  column: 96,          // width of one time step in the unfolded network
  columnMin: 64,       // narrowest column when zoomed out
  margin: { top: 54, right: 24, bottom: 30, left: 44 }, // left: the row labels
  rows: { J: 70, o: 150, h: 240, flow: 292, x: 360 },  // y of each row's centre, top to bottom
  height: 416,          // room under the x row for the input character, then the step number
  node: { width: 76, height: 26 },
  gate: { height: 9, gap: 2 },  // one strip per gate
  strip: { maxCells: 16, gap: 1 },
  lane: 4.5,            // vertical offset between the error paths of different sources
  lanes: 8,
  flowWidth: [0.8, 9],  // stroke width of an error path, by log F
};

// The rows of each cell, top to bottom (y of each row's centre) and the drawing's height.
// Gated cells add their gates (G strips) between x and h; the LSTM adds its cell state s with
// its own error lane (sflow) under h's.
const CELL_ROWS = {
  rnn: { rows: layout.rows, height: layout.height },
  lstm: { rows: { J: 64, o: 136, h: 214, flow: 256, s: 310, sflow: 348, gates: 382, x: 450 }, height: 504 },
  gru: { rows: { J: 70, o: 150, h: 240, flow: 288, gates: 326, x: 390 }, height: 446 },
  mingru: { rows: { J: 70, o: 150, h: 240, flow: 288, gates: 326, x: 390 }, height: 446 },
  // f, i, the candidate and the normalised f′, i′: five strips
  minlstm: { rows: { J: 70, o: 150, h: 240, flow: 288, gates: 326, x: 434 }, height: 490 },
};
export const rowsFor = (cell) => CELL_ROWS[cell] ?? CELL_ROWS.rnn;

export const neurons = { maxHidden: 8, maxInput: 8, maxSteps: 12, radius: 6 };

export const heatmap = { maxCell: 40, minCell: 1, maxSize: 320 };

export const timing = { frameMs: 650, speeds: [0.5, 1, 2, 4, 8] };

// Step colours: categorical while the steps fit (eleven of Kelly's colours of maximum
// contrast and a cyan in place of his light blue, which drew step 5's frame all but invisible
// on white; ordered so that neighbouring steps differ most, no two alike in hue and lightness);
// beyond that a perceptually uniform sequential scale (plasma without its pale end) where the
// colour tells early from late, and the tooltips tell the step.
export const STEP_PALETTE = ['#0067A5', '#F38400', '#008856', '#BE0032', '#875692', '#0095B6', '#882D17', '#E68FAC',
  '#8DB600', '#2B3D26', '#F3C300', '#C2B280'];
export const categoricalSteps = (steps) => steps <= STEP_PALETTE.length;
export function stepColour(t, steps) {
  if (categoricalSteps(steps)) return STEP_PALETTE[t];
  return d3.interpolatePlasma(0.05 + 0.7 * (t / Math.max(1, steps - 1))); // stops at orange: yellow is lost on white
}

// A step's colour dark enough to read as text on white (a contrast of 4.5:1, WCAG AA): the
// palette's pale members (pink, yellow, buff) stay as they are for strokes and fills.
const luminance = (c) => {
  const lin = (v) => { const u = v / 255; return u <= 0.03928 ? u / 12.92 : ((u + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
};
export function stepInk(t, steps) {
  let c = d3.rgb(stepColour(t, steps));
  for (let i = 0; i < 12 && 1.05 / (luminance(c) + 0.05) < 4.5; i += 1) c = c.darker(0.25);
  return c.formatHex();
}

// One colour per cell wherever cells are compared.
const CELL_COLOURS = { rnn: '#0072B2', lstm: '#D55E00', gru: '#009E73', mingru: '#56B4E9', minlstm: '#CC79A7' }; // Okabe-Ito: each min cell apart from its classic one
export const cellColour = (cell) => CELL_COLOURS[cell];

// Values: a diverging red-blue scale centred on 0 (blue negative, red positive), colour-blind safe.
export function valueScale(maxAbs) {
  const m = maxAbs > 0 ? maxAbs : 1;
  return d3.scaleDiverging([-m, 0, m], (u) => d3.interpolateRdBu(1 - u));
}

// Magnitudes spanning many decades (the flow matrix): log scale, viridis. ``values``: numbers,
// or rows of them (read in place: a T = 1024 matrix is a million numbers, not to be copied).
export function magnitudeScale(values) {
  let lo = Infinity;
  let hi = -Infinity;
  const look = (v) => { if (v > 0) { if (v < lo) lo = v; if (v > hi) hi = v; } };
  for (const v of values) {
    if (Array.isArray(v)) for (let i = 0; i < v.length; i += 1) look(v[i]);
    else look(v);
  }
  if (hi < 0) { lo = 1e-12; hi = 1; } // nothing positive
  const domain = lo === hi ? [lo / 10, hi] : [lo, hi];
  return d3.scaleSequentialLog(domain, d3.interpolateViridis).clamp(true);
}

// Gates: sigmoid gates run from 0 (shut) to 1 (open) on a sequential scale of their own, so
// they never read as the signed values around them; a tanh candidate keeps the value scale.
export function gateScale(name) {
  if (name === 'candidate') return valueScale(1);
  return d3.scaleSequential([0, 1], (u) => d3.interpolateGreens(0.05 + 0.9 * u));
}

export const faded = 0.12;
