// The input panel: form fields <-> state, presets, task diagrams and field-level error messages.
import { META } from '../state/meta.js';
import { parseNumbers } from '../state/state.js';

const d3 = window.d3;
const $ = (id) => document.getElementById(id);
// The model's fields come from the server's table (META.fields, core.contract.REQUEST_FIELDS):
// whole numbers a box must hold, optional numbers whose empty box means a default, choices.
const MODEL = META.fields;
const named = (test) => MODEL.filter(test).map((f) => f.link);
const NUMBER_FIELDS = [...named((f) => f.kind === 'int' && !f.empty), 'length', 'delay', 'dseed', 'index'];
const OPTIONAL_NUMBERS = named((f) => f.kind !== 'choice' && f.empty);
const SELECTS = ['task', ...named((f) => f.kind === 'choice'), 'dataset'];
const CHECKBOXES = named((f) => f.kind === 'bool');
// Fields that belong to some cells only, by the form's names: shown for them, hidden (and kept)
// for the others.
const FORM_NAME = Object.fromEntries(MODEL.map((f) => [f.name, f.link]));
const CELL_FIELDS = Object.fromEntries(MODEL.filter((f) => f.cells.length < META.cells.length).map((f) => [f.link, f.cells]));

// Which control shows the message of an API error, by the field the error names.
const ERROR_TARGET = {
  ...FORM_NAME, sequence: 'sequence', inputs: 'sequence', targets: 'sequence', h0: 'hidden_size',
  task: 'task', include: 'general', weights: 'general', cell: 'general', s0: 'general',
  dataset: 'dataset', index: 'dataset',
};

export function readForm() {
  const state = {
    kind: document.querySelector('input[name="kind"]:checked').value,
    sequence: $('sequence').value,
    cell: document.querySelector('input[name="cell"]:checked').value,
  };
  for (const name of SELECTS) state[name] = $(name).value;
  for (const name of NUMBER_FIELDS) state[name] = $(name).value === '' ? NaN : Number($(name).value);
  for (const name of OPTIONAL_NUMBERS) state[name] = $(name).value === '' ? null : Number($(name).value);
  for (const name of CHECKBOXES) state[name] = $(name).checked;
  return state;
}

export function writeForm(state) {
  document.querySelector(`input[name="kind"][value="${state.kind}"]`).checked = true;
  document.querySelector(`input[name="cell"][value="${state.cell}"]`).checked = true;
  showCellFields(state.cell);
  $('sequence').value = state.sequence;
  for (const name of [...SELECTS, ...NUMBER_FIELDS]) $(name).value = state[name];
  for (const name of OPTIONAL_NUMBERS) $(name).value = state[name] ?? '';
  for (const name of CHECKBOXES) $(name).checked = state[name];
  document.querySelector(`input[name="task-choice"][value="${state.task}"]`).checked = true;
  showKind(state.kind, state.dataset);
}

// A generated task has its own fields; its loss steps and head are the task's, and it has no text.
export function showKind(kind, dataset) {
  const generated = kind === 'dataset';
  $('dataset-fields').hidden = !generated;
  for (const id of ['sequence', 'sequence-help']) $(id).hidden = generated;
  document.querySelector('label[for="sequence"]').textContent = generated ? 'A held-out sequence of the task below' : 'Sequence';
  $('task-fieldset').hidden = generated;
  for (const el of document.querySelectorAll('[data-for="output"]')) el.hidden = generated;
  for (const el of document.querySelectorAll('[data-for="embedding"]')) el.hidden = kind !== 'text'; // it looks up characters
  for (const el of document.querySelectorAll('[data-dataset]')) el.hidden = el.dataset.dataset !== dataset;
}

export function showCellFields(cell) {
  const bias = META.defaults.forget_bias_by_cell?.[cell];
  if (bias !== undefined) $('forget_bias').placeholder = String(bias); // the LSTM starts at 1, the minLSTM at 0
  for (const [field, owner] of Object.entries(CELL_FIELDS)) {
    for (const el of document.querySelectorAll(`[data-for="${field}"]`)) el.hidden = !owner.includes(cell);
  }
}

export function setupCells(onChange) {
  d3.selectAll('input[name="cell"]').on('change', function () { showCellFields(this.value); onChange(this.value); });
}

export function clearErrors() {
  document.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  const status = document.getElementById('import-status');
  if (status?.dataset.using !== undefined) { status.textContent = status.dataset.using; delete status.dataset.using; }
  document.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// items: the API's detail list. Each message is placed next to the control it is about.
// mapping: imported weights' canonical names -> the keys they came from, to name those too.
export function showErrors(items, mapping = null) {
  clearErrors();
  for (const item of items) {
    const field = item.loc?.[1];
    // a refusal of imported weights (a head of the wrong size for the data, say) goes where they
    // were pasted, the import panel, opened
    if (String(field).startsWith('weights') && $('import-forget') && !$('import-forget').hidden) {
      $('import').open = true;
      const name = item.msg.match(/^weights\.(\w+)/)?.[1];
      const from = mapping?.[name] && mapping[name] !== name ? ` (${name} is ${mapping[name]} in what you pasted)` : '';
      $('error-import').textContent += `${$('error-import').textContent ? ' ' : ''}${item.msg}${from}`;
      const status = $('import-status');
      status.dataset.using ??= status.textContent;
      status.textContent = `Refused for this input (see above): ${status.dataset.using.replace(/^Using /, '')}`;
      continue;
    }
    const target = ERROR_TARGET[field] ?? 'general';
    const box = $(`error-${target}`);
    box.textContent = box.textContent ? `${box.textContent} ${item.msg}` : item.msg;
    if (target !== 'general') $(target)?.setAttribute('aria-invalid', 'true');
  }
}

// Quick checks before a request: the API checks everything again and has the last word.
export function localErrors(state) {
  const errors = [];
  if (state.kind === 'numbers' && parseNumbers(state.sequence).some((v) => (Array.isArray(v) ? v.some(Number.isNaN) : Number.isNaN(v)))) {
    errors.push({ loc: ['body', 'inputs'], msg: 'inputs: write numbers separated by commas or spaces (vectors separated by ";")' });
  }
  const whole = state.kind === 'dataset' ? NUMBER_FIELDS : ['hidden_size', 'seed']; // the task's fields count for a task
  for (const name of whole) {
    if (!Number.isInteger(state[name])) errors.push({ loc: ['body', name], msg: `${name}: must be a whole number` });
  }
  return errors;
}

// A tiny picture of which steps have inputs (below) and losses (above).
function taskDiagram(selection, task) {
  const steps = [0, 1, 2, 3];
  const svg = selection.append('svg').attr('width', 64).attr('height', 30).attr('aria-hidden', 'true');
  const x = (t) => 8 + t * 16;
  svg.selectAll('circle').data(steps).join('circle').attr('cx', x).attr('cy', 15).attr('r', 4).attr('class', 'd-hidden');
  const input = (t) => task !== 'one-to-many' || t === 0;
  const loss = (t) => task !== 'many-to-one' || t === 3;
  svg.selectAll('line.d-in').data(steps.filter(input)).join('line').attr('class', 'd-in')
    .attr('x1', x).attr('x2', x).attr('y1', 29).attr('y2', 20);
  svg.selectAll('rect.d-loss').data(steps.filter(loss)).join('rect').attr('class', 'd-loss')
    .attr('x', (t) => x(t) - 3).attr('y', 1).attr('width', 6).attr('height', 6);
}

export function setupTasks(onChange) {
  const tasks = META.tasks;
  const group = d3.select('#task-choices');
  const label = group.selectAll('label').data(tasks).join('label').attr('class', 'task-choice');
  label.append('input').attr('type', 'radio').attr('name', 'task-choice').attr('value', (d) => d)
    .on('change', (event, d) => { $('task').value = d; onChange(); });
  label.each(function (d) { taskDiagram(d3.select(this), d); });
  label.append('span').text((d) => d);
}

export function setupPresets(presets, onPick) {
  const select = d3.select('#preset');
  select.selectAll('option.preset').data(presets).join('option').attr('class', 'preset')
    .attr('value', (d) => d.name).text((d) => d.title);
  select.on('change', () => {
    const preset = presets.find((p) => p.name === select.property('value'));
    $('preset-description').textContent = preset ? preset.description : '';
    if (preset) onPick(preset);
  });
}

// A preset's request, as the state of the form.
export function stateFromRequest(request, base) {
  const kind = request.dataset ? 'dataset' : request.sequence !== undefined ? 'text' : 'numbers';
  const data = request.dataset ?? {};
  const numbers = (request.inputs ?? []).map((v) => (Array.isArray(v) ? v.join(' ') : String(v)));
  return {
    ...base,
    kind,
    sequence: kind === 'dataset' ? base.sequence
      : kind === 'text' ? request.sequence : numbers.join(Array.isArray(request.inputs?.[0]) ? '\n' : ', '),
    task: request.task ?? META.defaults.task,
    cell: request.cell ?? META.defaults.cell,
    // the model's fields: an optional number left out is empty; the output head, 'auto'
    ...Object.fromEntries(MODEL.map((f) => [f.link, request[f.name]
      ?? (f.empty ? null : f.name === 'output' ? 'auto' : META.defaults[f.name] ?? f.default)])),
    ...(request.dataset ? { dataset: data.name, length: data.length, delay: data.delay ?? base.delay,
      dseed: data.seed ?? 0, index: request.index ?? 0 } : {}),
  };
}
