// Every piece of page state, as one declared table: the request's fields, the selection and
// the view toggles (carried by the URL, so any view is a shareable link), and the transient
// state no link carries (the hovered source, the player's position, the answer's model).
// Options and limits come from the server's vocabulary (meta.js). Values read from the URL
// are parsed and bounded here and only ever used as data.
import { STEPS } from '../lesson/lesson-steps.js';
import { ALL_PARAMS, CELLS, META } from './meta.js';

const oneOf = (options) => (v) => (options.includes(v) ? v : undefined);
const integer = (lo, hi) => (v) => {
  const n = Number(v);
  return v !== '' && Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
};
const number = (lo, hi, { open = false } = {}) => (v) => {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) && (open ? n > lo : n >= lo) && n <= hi ? n : undefined;
};
const flag = (v) => (v === '1' ? true : v === '0' ? false : undefined);
// A text needs two characters (one step); a list of numbers at least two numbers.
const sequenceText = (v) => (typeof v === 'string' && v.trim().length >= 2 ? v.slice(0, 5000) : undefined);
const names = (list) => list.map((d) => d.name);
const { defaults, limits } = META;

// The model's fields, from the server's table (META.fields, core.contract.REQUEST_FIELDS): a
// choice of its vocabulary, or a number between its least value and its limit; an optional
// number starts empty (null), the output head at 'auto'.
const CHOICES = { activation: names(META.activations), output: ['auto', ...names(META.heads)] };
function modelField(f) {
  const low = f.low ?? -limits[f.limit];
  const parse = f.kind === 'choice' ? oneOf(CHOICES[f.name]) : f.kind === 'bool' ? flag
    : f.kind === 'int' ? integer(low, limits[f.limit]) : number(low, limits[f.limit], { open: f.above });
  return [f.link, { initial: f.empty ? null : f.name === 'output' ? 'auto' : defaults[f.name] ?? f.default, parse }];
}
const MODEL_LINKS = META.fields.map((f) => f.link);

export const FIELDS = {
  kind: { initial: 'text', parse: oneOf(['text', 'numbers', 'dataset']) },
  sequence: { initial: 'hello', parse: sequenceText },
  // kind 'dataset': held-out sequence `index` of a generated task (docs/MATH.md, section 17)
  dataset: { initial: 'adding', parse: oneOf(names(META.datasets)) },
  length: { initial: 50, parse: integer(2, limits.dataset_length) },
  delay: { initial: 10, parse: integer(1, limits.dataset_length - 1) },
  dseed: { initial: 0, parse: integer(0, limits.seed) },
  index: { initial: 0, parse: integer(0, 511) },
  cell: { initial: defaults.cell, parse: oneOf(CELLS) },
  task: { initial: defaults.task, parse: oneOf(META.tasks) },
  ...Object.fromEntries(META.fields.map(modelField)),
  colour: { initial: 'gradient', parse: oneOf(['gradient', 'source']) },
  param: { initial: 'W', parse: oneOf(ALL_PARAMS) },
  step: { initial: 0, parse: integer(0, limits.steps - 1) },
  neurons: { initial: false, parse: flag },
  folded: { initial: false, parse: flag },
  flowpath: { initial: 'h', parse: oneOf(['h', 's']) },
  compare: { initial: false, parse: flag },
  // the compare view's weights: 'trained' (the page's task, else the first shipped), a family, 'untrained'
  against: { initial: 'trained', parse: (v) => (/^[a-z0-9-]{1,80}$/.test(v) ? v : undefined) },
  split: { initial: 'size', parse: oneOf(['size', 'signed']) }, // the gradient bars' split by loss
  source: { initial: null, parse: integer(0, limits.steps - 1) }, // a loss J^(s) chosen to trace
  notation: { initial: defaults.notation, parse: oneOf(names(META.notations)) }, // the parameters' letters
  lesson: { initial: null, parse: integer(1, STEPS.length) }, // the lesson's step, 1-based as a teacher says it
  projector: { initial: false, parse: flag }, // larger type and thicker lines for a lecture hall
  // transient
  hover: { initial: null, url: false }, // the loss under the pointer: traced while hovered
  distance: { initial: null, url: false }, // a distance d hovered on the gain plot
  position: { initial: 0, url: false },
  lessonPending: { initial: false, url: false }, // a lesson step waits for the answer it asked for
  // imported weights, {format, cell, arrays, vocab, ...}: too large for a link, kept until dropped
  weights: { initial: null, url: false },
  model: { initial: null, url: false },
};

// The fields a request is made of: a change to any of them asks for a new answer.
export const REQUEST_KEYS = ['kind', 'sequence', 'dataset', 'length', 'delay', 'dseed', 'index', 'cell', 'task',
  ...MODEL_LINKS, 'weights'];

// Numbers: "0.1, 0.5 0.9", or vectors separated by ";" or new lines ("1 0; 0 1").
export function parseNumbers(raw) {
  const rows = raw.split(/[;\n]/).map((r) => r.trim()).filter(Boolean);
  const parse = (r) => r.split(/[\s,]+/).filter(Boolean).map(Number);
  if (rows.length > 1 && rows.every((r) => parse(r).length > 1)) return rows.map(parse);
  return parse(rows.join(' '));
}

// The API request behind the view. Fields that belong to some cells (META.cell_only) go only
// with them (the API refuses them elsewhere); the form keeps them. The server decides which
// heavy sections fit ("auto").
const REQUEST_NAME = Object.fromEntries(META.fields.map((f) => [f.link, f.name]));
// the fields sent only when set (and, for a cell-only one, with its cells): all but these three
const ALWAYS = ['hidden_size', 'seed', 'output'];
// Imported weights stand in for hidden_size, seed and forget_bias (they fix all three); the
// compare view, which runs every cell, draws seeded networks.
export function toRequest(state, cell = state.cell) {
  const imported = cell === state.cell ? state.weights : null;
  const body = { task: state.task, cell, include: ['auto'] };
  if (imported) body.weights = imported.arrays;
  else Object.assign(body, { hidden_size: state.hidden_size, seed: state.seed });
  if (state.kind === 'dataset') { // the task sets the loss steps and the head
    delete body.task;
    body.dataset = { name: state.dataset, length: state.length, seed: state.dseed,
      ...(state.dataset === 'copy' ? { delay: state.delay } : {}) };
    body.index = state.index;
  } else if (state.kind === 'text') body.sequence = state.sequence;
  else body.inputs = parseNumbers(state.sequence);
  if (imported?.vocab && state.kind === 'text') body.vocab = imported.vocab;
  if (state.output !== 'auto' && state.kind !== 'dataset') body.output = state.output;
  for (const name of MODEL_LINKS.filter((link) => !ALWAYS.includes(link))) {
    const field = REQUEST_NAME[name];
    const owner = META.cell_only[field];
    if (imported && field.endsWith('_bias')) continue; // imported weights set their gates' biases in b
    if (field === 'embedding' && state.kind !== 'text') continue; // an embedding looks up a text's characters
    const declared = META.fields.find((f) => f.link === name).default; // a stack's fields go when not the default
    if (state[name] !== null && state[name] !== declared && (!owner || owner.includes(cell))) body[field] = state[name];
  }
  return body;
}
