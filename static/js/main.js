// Wires the page: state <-> form and URL, one request per run, and the views that draw it.
import { getJSON, postJSON } from './api.js';
import * as controls from './controls.js';
import { drawLegends, explain } from './legends.js';
import { buildModel } from './model.js';
import { createSelection } from './selection.js';
import { readURL, toRequest, writeURL } from './state.js';
import { drawCompare } from './views/compare.js';
import { createDetails } from './views/details.js';
import { createFlowMatrix } from './views/flowmatrix.js';
import { drawFolded } from './views/folded.js';
import { createGradientPanel } from './views/gradient.js';
import { createNetwork } from './views/network.js';
import { drawNeurons } from './views/neurons.js';
import { createPlayer, phaseAt } from './views/player.js';

const d3 = window.d3;
const $ = (id) => document.getElementById(id);
const PER_STEP_BUDGET = 200_000; // numbers; per-step matrices are fetched only below this
const BLOCKS = { rnn: 1, lstm: 4, gru: 3 };
const CELLS = Object.keys(BLOCKS);

let state = readURL();
let model = null;
let position = 0;
const selection = createSelection({ param: state.param, step: state.step });

const selectStep = (t) => selection.set({ step: t, pinned: true });
const network = createNetwork($('network-panel'), {
  onSelectStep: selectStep,
  onHoverSource: (s) => selection.set({ source: s }),
});
const flowMatrix = createFlowMatrix($('flow-panel-body'), {
  onHoverSource: (s) => selection.set({ source: s }),
  onSelect: ({ step, source }) => selection.set({ step, source, pinned: true }),
});
const gradient = createGradientPanel($('gradient-panel-body'), { onSelectStep: selectStep });
const details = createDetails($('details-panel-body'));
const views = [network, flowMatrix, gradient, details];
const player = createPlayer($('player'), {
  onPosition: (p) => { position = p; refresh(); },
});

// User Timing for DevTools and the page benchmark (bench/page.py): each measure ends once
// the browser has rendered what the code changed (a message posted from inside a frame is
// handled after that frame's style, layout and paint).
function measureRendered(name, start, { inFrame = false } = {}) {
  const end = () => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => performance.measure(name, { start });
    channel.port2.postMessage(null);
  };
  if (inFrame) end(); else requestAnimationFrame(end);
}

function refresh() {
  if (!model) return;
  const start = performance.now();
  const v = { colour: state.colour, sel: selection.get(), showFrame: true, ...phaseAt(position, model.steps) };
  for (const view of views) view.highlight(v);
  $('mode-explanation').textContent = explain(state.colour, model, v.sel);
  // the player moves inside d3's animation frames: one measure per frame it draws
  if (player.playing()) measureRendered('rnn-unfolded:frame', start, { inFrame: true });
}

selection.on('change.page', (sel) => {
  state = { ...state, param: sel.param, step: sel.step };
  d3.selectAll('#param-chips button').attr('aria-pressed', (p) => String(p === sel.param));
  writeURL(state);
  refresh();
});

function setBusy(busy) {
  $('run').disabled = busy;
  $('run').textContent = busy ? 'Running…' : 'Run';
  $('stage').setAttribute('aria-busy', String(busy));
  $('loading').hidden = !busy;
}

function wantsPerStep(body) {
  const steps = body.sequence ? body.sequence.length - 1 : (body.inputs?.length ?? 0) - 1;
  const D = body.sequence ? new Set(body.sequence).size : (Array.isArray(body.inputs?.[0]) ? body.inputs[0].length : 1);
  const H = body.hidden_size;
  const G = BLOCKS[body.cell];
  return steps * (G * H * (D + H + 1) + H * D + D + (body.cell === 'gru' ? H : 0)) <= PER_STEP_BUDGET;
}

function summary(data) {
  const { config } = data;
  const cellPart = { rnn: () => `ρ(W) = ${config.spectral_radius.toPrecision(4)}`, lstm: () => `LSTM, forget bias ${config.forget_bias ?? 'from the weights'}`, gru: () => 'GRU' }[model.cell]();
  return `T = ${model.steps} steps · H = ${model.hidden} · J = ${data.forward.total_loss.toPrecision(6)}`
    + ` · ${cellPart} · ${config.truncate ? `k = ${config.truncate}` : 'full BPTT'}`;
}

function setupParamChips() {
  d3.select('#param-chips').selectAll('button').data(model.params).join('button').attr('type', 'button')
    .attr('class', 'chip').attr('aria-pressed', (p) => String(p === selection.get().param)).text((p) => p)
    .on('click', (event, p) => selection.set({ param: p }));
}

function show(data) {
  model = buildModel(data);
  const step = Math.min(selection.get().step ?? 0, model.steps - 1);
  const param = model.params.includes(selection.get().param) ? selection.get().param : 'W';
  for (const view of views) view.draw(model, { flowPath: state.flowpath });
  $('flow-path').hidden = !model.hasState;
  setupParamChips();
  drawLegends($('legends'), model, state.colour);
  $('summary').textContent = summary(data);
  $('empty').hidden = true;
  applyToggles();
  selection.set({ step, param, source: null });
  player.reset(model.steps);
  if (state.compare) compare();
}

// The compare view asks for the same sequence through every cell, on a channel of its own
// (a newer comparison aborts an older one).
async function compare() {
  const body = $('compare-body');
  body.textContent = 'Computing the three cells…';
  try {
    const answers = [];
    for (const cell of CELLS) { // one at a time: the server computes two requests at once, the page's own is one
      answers.push(await postJSON('/api/v1/unfold', { ...toRequest(state, cell), include: ['gain'] }, 'compare'));
    }
    const failed = answers.find((a) => !a.ok);
    if (failed) { body.textContent = failed.data?.detail?.[0]?.msg ?? `The server answered ${failed.status}.`; return; }
    body.textContent = '';
    drawCompare(body, Object.fromEntries(CELLS.map((cell, i) => [cell, answers[i].data])));
  } catch (error) {
    if (error.name !== 'AbortError') body.textContent = `Could not reach the server: ${error.message}`;
  }
}

async function run() {
  controls.clearErrors();
  const form = controls.readForm();
  const problems = controls.localErrors(form);
  if (problems.length) { controls.showErrors(problems); return; }
  state = { ...state, ...form };
  writeURL(state);
  const body = toRequest(state);
  body.include = wantsPerStep(body) ? ['flow_shares', 'per_step_gradients'] : ['flow_shares'];
  setBusy(true);
  try {
    const { ok, status, data, arrived, parsed } = await postJSON('/api/v1/unfold', body);
    if (ok) {
      performance.measure('rnn-unfolded:parse', { start: arrived, end: parsed });
      show(data);
      measureRendered('rnn-unfolded:draw', parsed);
    }
    else controls.showErrors(data?.detail ?? [{ loc: ['body'], msg: `The server answered ${status}. Please try again.` }]);
  } catch (error) {
    if (error.name !== 'AbortError') controls.showErrors([{ loc: ['body'], msg: `Could not reach the server: ${error.message}` }]);
  } finally {
    setBusy(false);
  }
}

function applyToggles() {
  d3.select('#network-panel').classed('colour-source', state.colour === 'source');
  const fits = model ? drawNeurons(network.neuronLayer(), state.neurons ? model : null, network.x) : false;
  d3.select('#network-panel').classed('neuron-mode', state.neurons && fits);
  const why = model?.cell !== 'rnn' ? 'The neurons view draws the simple RNN.' : 'The neurons view needs H ≤ 8, D ≤ 8 and T ≤ 12.';
  $('neurons-note').textContent = state.neurons && model && !fits ? why : '';
  $('compare-panel').hidden = !state.compare;
  $('folded-panel').hidden = !state.folded;
  $('network-panel').hidden = state.folded;
  if (state.folded) drawFolded($('folded-panel'), model);
  if (model) drawLegends($('legends'), model, state.colour);
}

function setupToolbar() {
  d3.selectAll('input[name="colour"]').property('checked', function () { return this.value === state.colour; })
    .on('change', function () { state = { ...state, colour: this.value, source: null }; writeURL(state); applyToggles(); refresh(); });
  d3.selectAll('input[name="flowpath"]').property('checked', function () { return this.value === state.flowpath; })
    .on('change', function () {
      state = { ...state, flowpath: this.value };
      writeURL(state);
      if (model) flowMatrix.draw(model, { flowPath: state.flowpath });
      refresh();
    });
  d3.select('#compare').property('checked', state.compare).on('change', function () {
    state = { ...state, compare: this.checked };
    writeURL(state);
    applyToggles();
    if (state.compare && model) compare();
  });
  for (const name of ['neurons', 'folded']) {
    d3.select(`#${name}`).property('checked', state[name])
      .on('change', function () { state = { ...state, [name]: this.checked }; writeURL(state); applyToggles(); refresh(); });
  }
  d3.select(document).on('keydown', (event) => {
    if (event.target.closest('input, select, textarea, button, [contenteditable]')) return;
    if (event.key === ' ') { event.preventDefault(); player.toggle(); }
    if (event.key === 'ArrowRight') { event.preventDefault(); player.step(1); }
    if (event.key === 'ArrowLeft') { event.preventDefault(); player.step(-1); }
  });
}

async function start() {
  controls.setupTasks(() => {});
  controls.setupCells(() => run()); // a new cell keeps the sequence and the selection
  controls.writeForm(state);
  setupToolbar();
  $('run-form').addEventListener('submit', (event) => { event.preventDefault(); run(); });
  getJSON('/api/v1/presets').then((presets) => controls.setupPresets(presets, (request) => {
    controls.writeForm(controls.stateFromRequest(request, state));
    run();
  })).catch(() => { $('preset-description').textContent = 'Presets could not be loaded.'; });
  await run();
}

start();
