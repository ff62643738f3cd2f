// Wires the page: one store owns the state (state.js, store.js); the form writes into it and a
// change to a request field asks for a new answer (runner.js); each view listens to the keys it
// shows, and a new answer is drawn network first, the panels below it in the next frame.
import { askJSON, getJSON } from './io/api.js';
import { measureRendered } from './blocks/timing.js';
import * as controls from './controls/controls.js';
import { drawLegends, explain, showStep } from './controls/legends.js';
import { META } from './state/meta.js';
import { buildModel } from './state/model.js';
import { P, setNotation } from './state/notation.js';
import { relabelHelp, setupHelp } from './controls/help.js';
import { keepImport } from './io/imported.js';
import { forget } from './state/keep.js';
import { createLesson } from './lesson/lesson.js';
import { openingPatch } from './lesson/opening.js';
import { checkpointWeights, lockSeededFields, setupImportExport, weightsPatch } from './io/port.js';
import { createRunner } from './runner.js';
import { createSchedule } from './schedule.js';
import { FIELDS, toRequest } from './state/state.js';
import { createStore } from './state/store.js';
import { fitNetwork, setupToolbar } from './controls/toolbar.js';
import { compareCells } from './views/compare.js';
import { describeParam, headline } from './views/describe.js';
import { createDetails } from './views/details.js';
import { createExplorer } from './views/explorer.js';
import { createFlowMatrix } from './views/flowmatrix.js';
import { drawFolded } from './views/folded.js';
import { createStack, stackHeadline } from './views/stack.js';
import { createGradientPanel } from './views/gradient.js';
import { createNetwork } from './views/network.js';
import { drawNeurons } from './views/neurons.js';
import { createPlayer, phaseAt } from './views/player.js';
import { createTrainer } from './controls/training.js';

const d3 = window.d3;
const $ = (id) => document.getElementById(id);

const store = createStore(FIELDS);
setNotation(store.get().notation);
const SELECTION = ['param', 'step', 'source', 'hover', 'colour'];

// A selection by the user: measured from the click until it is painted (bench/page.py). The
// network scrolls to a step chosen elsewhere (the flow matrix, the gradient bars).
// A traced loss comes in at the right edge, its past (where its error travels) before it.
const tracing = (state) => state.colour === 'source' && state.source !== null && state.source === state.step;
function select(patch) {
  const start = performance.now();
  const changed = store.set(patch);
  if (changed.has('step')) network.reveal(store.get().step, { align: tracing(store.get()) ? 'trace' : 'start' });
  if (changed.size && !player.playing()) measureRendered('rnn-unfolded:select', start);
}
const selectStep = (t) => select({ step: t });
const hoverSource = (s) => store.set({ hover: s });
// a click on a loss selects its step and traces its error (again: stops tracing it)
const pickSource = (s) => (store.get().colour === 'gradient' ? selectStep(s)
  : select({ step: s, source: store.get().source === s ? null : s }));
const network = createNetwork($('network-panel'), {
  onSelectStep: selectStep, onHoverSource: hoverSource, onPickSource: pickSource,
  onTraceSource: (s) => select({ step: s, source: s }),
});
const flowMatrix = createFlowMatrix($('flow-panel-body'), {
  onHoverSource: hoverSource,
  // by source, a click also keeps tracing that loss
  onSelect: ({ step, source }) => select(store.get().colour === 'source' ? { step, source } : { step }),
});
const gradient = createGradientPanel($('gradient-panel-body'), { onSelectStep: selectStep, onSplit: (split) => store.set({ split }) });
const details = createDetails($('details-panel-body'));
const stack = createStack($('stack-body')); // a stack's answer is drawn there, the single-layer views set aside
// the ρ(W) slider re-runs while it is dragged: its latency is measured from the input event,
// and the picture is not faded as stale at each move (its answer is already on its way)
const explorer = createExplorer($('explorer-panel-body'), {
  askJSON,
  request: () => toRequest(store.get()),
  onRho: (rho, start) => {
    $('rho').value = rho;
    fromForm({ now: true, live: true, start });
  },
  onHoverDistance: (distance) => store.set({ distance }),
  onBias: (field, bias, start) => {
    $(field).value = bias;
    fromForm({ now: true, live: true, start });
  },
});
// the network keeps the playhead's column in view while the player runs or is scrubbed
const player = createPlayer($('player'), {
  onPosition: (position) => {
    store.set({ position });
    const { model } = store.get();
    const { phase, forwardTo, backwardTo } = phaseAt(position, model?.steps ?? 0);
    if (model && phase === 'forward') network.reveal(forwardTo);
    if (model && phase === 'backward') network.reveal(backwardTo, { align: 'end' });
  },
});

// What the views highlight: the selection and the playhead.
function viewOf(state) {
  const sel = { param: state.param, step: state.step, source: state.hover ?? state.source, pinned: state.source };
  const playhead = phaseAt(state.position, state.model.steps);
  // the frame of a step's contribution appears once the backward pass has computed it
  const showFrame = playhead.phase !== 'forward' && (state.step ?? 0) >= playhead.backwardTo;
  return { colour: state.colour, sel, showFrame, split: state.split, distance: state.distance, ...playhead };
}

const schedule = createSchedule({
  store, viewOf, playing: () => player.playing(),
  network: { view: network, keys: ['model', ...SELECTION, 'position', 'distance'] },
  panels: [
    { view: flowMatrix, keys: ['model', 'param', 'step', 'source', 'hover', 'colour', 'position', 'distance'], region: $('flow-panel-body'), live: true },
    { view: gradient, keys: ['model', 'param', 'step', 'position', 'split'], region: $('gradient-panel-body') },
    { view: details, keys: ['model', 'param', 'step', 'position'], region: $('details-panel-body') },
    { view: explorer, keys: ['model'], region: $('explorer-panel-body'), live: true, late: true },
  ],
});
store.on(['model', 'position', ...SELECTION], (state, changed) => {
  if (!state.model) return;
  if (!changed.has('position') || changed.size > 1) $('mode-explanation').textContent = explain(state.colour, state.model, viewOf(state).sel);
  if (player.playing()) measureRendered('rnn-unfolded:frame', performance.now(), { inFrame: true });
});
store.on(['step'], (state) => { if (state.model) showStep($('legends'), state.model, state.step); });
store.on(['param'], (state) => {
  d3.selectAll('#param-chips button').attr('aria-pressed', (p) => String(p === state.param));
});
store.on(['colour', 'neurons', 'folded', 'compare'], () => applyToggles());
store.on(['flowpath'], (state) => {
  if (schedule.waiting()) return;
  if (state.model) flowMatrix.draw(state.model, { flowPath: state.flowpath });
  if (state.model) flowMatrix.highlight(viewOf(state));
});
store.on(['compare', 'against'], (state) => { if (state.compare && state.model) compare(); });
// Another notation relabels the form and redraws the answer on screen: the numbers stay.
function relabelPage(state) {
  setNotation(state.notation);
  $('notation').value = state.notation;
  document.querySelector('label[for="rho"]').textContent = `ρ(${P('W')})`;
  relabelHelp();
  if (state.model) show(state.model.response).catch(drawFailed);
}
store.on(['notation'], relabelPage);

// Training: each chunk's answer carries the unfold of the new weights, drawn like any answer;
// Reset (null) draws the initial weights again.
const trainer = createTrainer({
  request: () => toRequest(store.get()),
  current: () => stack.current() ?? store.get().model?.response, // a stack's answer, when one is shown
  askJSON,
  onSnapshot: (data) => (data ? show(data).catch(drawFailed) : run()),
});
const { run, fromForm, drawFailed } = createRunner({ store, show, trainer });
setupImportExport({ askJSON, store, trainer, run, flush: () => { network.flush(); schedule.flush(); } });

function setupParamChips(model) {
  d3.select('#param-chips').selectAll('button').data(model.params).join('button').attr('type', 'button')
    .attr('class', 'chip').attr('aria-pressed', (p) => String(p === store.get().param)).text((p) => P(p))
    .attr('title', (p) => describeParam(model, p))
    .on('click', (event, p) => select({ param: p }));
}

// The view a preset or a lesson step asked for, applied once when its answer is drawn.
let opening = null;
function openingView(model) {
  const view = opening;
  opening = null;
  return openingPatch(view, model);
}

// Open a request and the view to show it with (a preset, a lesson step): the form follows,
// imported weights and the side views are set aside, and the answer is asked for at once.
// weights: a trained checkpoint's, which the request is opened with.
function openState({ request, fromPreset, view, weights = null }) {
  const base = fromPreset ? controls.stateFromRequest(request, store.get()) : { ...store.get(), ...request };
  if (store.get().weights) { lockSeededFields(null); forget('imported'); }
  opening = view;
  store.set({ weights: null, folded: Boolean(view.folded), compare: false, neurons: false, lessonPending: true });
  controls.writeForm(base);
  fromForm();
  if (weights) {
    store.set(weightsPatch(weights));
    controls.writeForm(store.get());
    lockSeededFields(weights);
    keepImport(weights); // a reload keeps them, as an import
  }
  run();
}

// A preset of a trained model opens with its checkpoint's weights.
async function openPreset(preset) {
  if (preset.checkpoint) $('stale').hidden = false; // what is drawn is about to be replaced: its weights are on their way
  const checkpoint = preset.checkpoint ? await getJSON(`/api/v1/models/${encodeURIComponent(preset.checkpoint)}`) : null;
  if (preset.checkpoint && !checkpoint) { $('error-general').textContent = `The trained model ${preset.checkpoint} could not be read.`; return; }
  openState({ request: preset.request, fromPreset: true, view: preset.view,
    weights: checkpoint && checkpointWeights(preset.checkpoint, checkpoint) });
}

const sameRequest = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// request: what was asked for this answer, when known (a training snapshot's is not)
let shownCell = null;
function show(data, request = null, { together = false, first = Promise.resolve(data), later = Promise.resolve(data) } = {}) {
  const current = request === null || sameRequest(request, toRequest(store.get()));
  if (stack.show(data)) { $('summary').textContent = stackHeadline(data); if (current) $('stale').hidden = true; return Promise.resolve(); }
  const model = buildModel(data);
  model.request = request;
  const view = openingView(model);
  const state = { ...store.get(), ...view };
  network.draw(model, { flowPath: state.flowpath });
  schedule.hold(model); // the panels are drawn below, not at each change to the store
  $('flow-path').hidden = !model.hasState;
  setupParamChips(model);
  $('summary').textContent = headline(model);
  $('empty').hidden = true;
  // an answer for a form changed since it was asked leaves the notice up: the new one is coming
  if (current) $('stale').hidden = true;
  const step = Math.min(state.step ?? 0, model.steps - 1);
  const param = model.params.includes(state.param) ? state.param : model.hasW ? 'W' : 'U'; // the min cells have no W
  const source = model.sources.includes(state.source) ? state.source : null;
  // the player starts at the end (everything shown); every view highlights once for the new model
  store.set({ ...view, model, step, param, source, hover: null, position: 2 * model.steps });
  network.reveal(step, { fromStart: true, align: tracing(store.get()) ? 'trace' : 'start' });
  player.reset(model.steps);
  if (view.position !== undefined) player.seek(view.position);
  applyToggles();
  if (store.get().compare) compare();
  // a first network, or one of another height (cell), is brought whole into a projector's view
  if (model.cell !== shownCell && !store.get().lesson) requestAnimationFrame(fitNetwork);
  shownCell = model.cell;
  // a lesson step's card and scroll follow the whole page
  const drawn = () => store.set({ lessonPending: false });
  if (together) { schedule.drawNow(model); drawn(); return Promise.resolve(); }
  // the network's error bands and paths once the flows are in (the same object gains them)
  first.then(() => { if (store.get().model === model) network.highlight(viewOf(store.get())); }, () => {});
  return schedule.drawLater(model, { first, later }).then((current) => { if (current) drawn(); });
}

// The compare view asks for the same sequence through every cell, on a channel of its own
// (a newer comparison aborts an older one).
const compare = () => compareCells($('compare-body'), {
  ask: {
    untrained: (cell) => askJSON('/api/v1/unfold', { ...toRequest(store.get(), cell), include: ['gain'] }, 'compare'),
    trained: async (m) => {
      const checkpoint = await getJSON(`/api/v1/models/${encodeURIComponent(m.name)}`);
      if (!checkpoint) return { ok: false, status: 404, data: { detail: [{ msg: `The trained model ${m.name} could not be read.` }] } };
      return askJSON('/api/v1/unfold', { cell: m.cell, weights: checkpoint.weights, dataset: m.dataset, index: 0, include: ['gain'] }, 'compare');
    },
  },
  against: store.get().against, state: store.get(), choose: (against) => store.set({ against }),
});

function applyToggles() {
  const state = store.get();
  const { model } = state;
  d3.select('#network-panel').classed('colour-source', state.colour === 'source');
  const fits = model ? drawNeurons(network.neuronLayer(), state.neurons ? model : null, network.x) : false;
  d3.select('#network-panel').classed('neuron-mode', state.neurons && fits);
  const why = model?.cell !== 'rnn' ? 'The neurons view draws the simple RNN.' : 'The neurons view needs H ≤ 8, D ≤ 8 and T ≤ 12.';
  $('neurons-note').textContent = state.neurons && model && !fits ? why : '';
  $('compare-panel').hidden = !state.compare;
  $('folded-panel').hidden = !state.folded;
  $('network-panel').hidden = state.folded;
  if (state.folded) drawFolded($('folded-panel'), model);
  if (model) drawLegends($('legends'), model, state.colour, state.step);
}

// Values a link carried that the page could not use: say so, and which defaults stand in.
function reportRejected() {
  if (!store.rejected.length) return;
  const parts = store.rejected.map(({ name, raw }) => `${name}=${raw === '' ? '(empty)' : JSON.stringify(raw.slice(0, 40))}`);
  $('url-notice').textContent = `The link's ${parts.join(', ')} could not be used; the default is shown instead.`;
  $('url-notice').hidden = false;
}

function start() {
  setupHelp();
  controls.setupTasks(() => fromForm());
  controls.setupCells(() => fromForm({ now: true })); // a new cell keeps the sequence and the selection
  controls.writeForm(store.get());
  setupToolbar(store, player);
  relabelPage(store.get());
  reportRejected();
  $('run-form').addEventListener('submit', (event) => { event.preventDefault(); fromForm({ now: true }); });
  $('run-form').addEventListener('input', (event) => {
    if (event.target.name === 'cell' || event.target.name === 'task-choice') return; // handled above
    if (event.target.name === 'kind' || event.target.id === 'dataset') controls.showKind(controls.readForm().kind, $('dataset').value);
    fromForm();
  });
  controls.setupPresets(META.presets, openPreset);
  const lesson = createLesson({ store, open: openState });
  const step = lesson.resume();
  if (step) { openState(step); return; }
  // a first view frames a contribution that is not zero and needs several losses' errors
  if (!new URLSearchParams(window.location.search).has('step')) opening = { step: 'middle' };
  const restoring = trainer.restore(); // a training run kept from before a reload is drawn instead
  if (restoring) restoring.then((drawn) => { if (!drawn) run(); });
  else run();
}

start();
