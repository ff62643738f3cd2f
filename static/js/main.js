// Wires the page: state <-> form and URL, one request per run, and the views that draw it.
import { getJSON, postJSON } from './api.js';
import * as controls from './controls.js';
import { drawLegends, explain } from './legends.js';
import { buildModel, PARAMS } from './model.js';
import { createSelection } from './selection.js';
import { readURL, toRequest, writeURL } from './state.js';
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
  return steps * (2 * H * D + H * H + H + D) <= PER_STEP_BUDGET;
}

function show(data) {
  model = buildModel(data);
  const step = Math.min(selection.get().step ?? 0, model.steps - 1);
  for (const view of views) view.draw(model);
  drawLegends($('legends'), model, state.colour);
  $('summary').textContent = `T = ${model.steps} steps · H = ${model.hidden} · J = ${data.forward.total_loss.toPrecision(6)}`
    + ` · ρ(W) = ${data.config.spectral_radius.toPrecision(4)} · ${data.config.truncate ? `k = ${data.config.truncate}` : 'full BPTT'}`;
  $('empty').hidden = true;
  applyToggles();
  selection.set({ step, source: null });
  player.reset(model.steps);
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
  $('neurons-note').textContent = state.neurons && model && !fits ? 'The neurons view needs H ≤ 8, D ≤ 8 and T ≤ 12.' : '';
  $('folded-panel').hidden = !state.folded;
  $('network-panel').hidden = state.folded;
  if (state.folded) drawFolded($('folded-panel'), model);
  if (model) drawLegends($('legends'), model, state.colour);
}

function setupToolbar() {
  d3.select('#param-chips').selectAll('button').data(PARAMS).join('button').attr('type', 'button')
    .attr('class', 'chip').attr('aria-pressed', (p) => String(p === state.param)).text((p) => p)
    .on('click', (event, p) => selection.set({ param: p }));
  d3.selectAll('input[name="colour"]').property('checked', function () { return this.value === state.colour; })
    .on('change', function () { state = { ...state, colour: this.value, source: null }; writeURL(state); applyToggles(); refresh(); });
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
