// All page state that a link should carry, as one declared table. It serialises to the URL so
// that any view is a shareable link; the seed is part of it. Values read from the URL are
// parsed and bounded here and are only ever used as data.
const oneOf = (options) => (v) => (options.includes(v) ? v : undefined);
const integer = (lo, hi) => (v) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
};
const positive = (v) => {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
};
const flag = (v) => v === '1';
const text = (v) => (typeof v === 'string' ? v.slice(0, 5000) : undefined);
const number = (lo, hi) => (v) => {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) && n >= lo && n <= hi ? n : undefined;
};

export const FIELDS = {
  kind: { initial: 'text', parse: oneOf(['text', 'numbers']) },
  sequence: { initial: 'hello', parse: text },
  cell: { initial: 'rnn', parse: oneOf(['rnn', 'lstm', 'gru']) },
  task: { initial: 'many-to-many', parse: oneOf(['many-to-many', 'many-to-one', 'one-to-many']) },
  hidden_size: { initial: 8, parse: integer(1, 128) },
  activation: { initial: 'tanh', parse: oneOf(['tanh', 'relu', 'sigmoid', 'identity']) },
  output: { initial: 'auto', parse: oneOf(['auto', 'softmax', 'identity', 'sigmoid']) },
  seed: { initial: 0, parse: integer(0, 2 ** 32 - 1) },
  rho: { initial: null, parse: positive },
  forget_bias: { initial: null, parse: number(-20, 20) },
  truncate: { initial: null, parse: integer(1, 1024) },
  colour: { initial: 'gradient', parse: oneOf(['gradient', 'source']) },
  param: { initial: 'W', parse: oneOf(['U', 'W', 'b', 'b_hn', 'V', 'c']) },
  step: { initial: 0, parse: integer(0, 1023) },
  neurons: { initial: false, parse: flag },
  folded: { initial: false, parse: flag },
  flowpath: { initial: 'h', parse: oneOf(['h', 's']) },
  compare: { initial: false, parse: flag },
};

export function readURL(search = window.location.search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const [name, field] of Object.entries(FIELDS)) {
    const raw = params.get(name);
    const parsed = raw === null ? undefined : field.parse(raw);
    state[name] = parsed === undefined ? field.initial : parsed;
  }
  return state;
}

export function writeURL(state) {
  const params = new URLSearchParams();
  for (const [name, field] of Object.entries(FIELDS)) {
    const value = state[name];
    if (value === field.initial || value === null || value === undefined) continue;
    params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  const query = params.toString();
  window.history.replaceState(null, '', query ? `?${query}` : window.location.pathname);
}

// Numbers: "0.1, 0.5 0.9" or one vector a line ("1 0; 0 1" also works).
export function parseNumbers(raw) {
  const rows = raw.split(/[;\n]/).map((r) => r.trim()).filter(Boolean);
  const parse = (r) => r.split(/[\s,]+/).filter(Boolean).map(Number);
  if (rows.length > 1 && rows.every((r) => parse(r).length > 1)) return rows.map(parse);
  return parse(rows.join(' '));
}

// The API request behind the view. The simple RNN's activation and rho(W) and the LSTM's
// forget bias go only with their cell (the API refuses them elsewhere); the form keeps them.
export function toRequest(state, cell = state.cell) {
  const body = { task: state.task, cell, hidden_size: state.hidden_size, seed: state.seed };
  if (state.kind === 'text') body.sequence = state.sequence;
  else body.inputs = parseNumbers(state.sequence);
  if (state.output !== 'auto') body.output = state.output;
  if (cell === 'rnn') body.activation = state.activation;
  if (cell === 'rnn' && state.rho !== null) body.spectral_radius = state.rho;
  if (cell === 'lstm' && state.forget_bias !== null) body.forget_bias = state.forget_bias;
  if (state.truncate !== null) body.truncate = state.truncate;
  return body;
}
