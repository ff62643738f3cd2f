// The race (issue 27): the simple RNN, the LSTM and the GRU trained side by side on one
// generated task. Each cell runs its own loop of /api/v1/train requests (the server computes two
// at a time), each request a few updates and then the held-out numbers and one unfolded held-out
// sequence; every chart and every sentence is drawn from those answers.
import { askJSON } from '../io/api.js';
import { canonicalImport, keepImport } from '../io/imported.js';
import { formatNumber } from '../blocks/format.js';
import { swatchLegend } from '../blocks/legend.js';
import { cellColour } from '../config.js';
import { META, cellInfo } from '../state/meta.js';
import { lineChart } from './charts.js';

const d3 = window.d3;
const $ = (id) => document.getElementById(id);
const RACE = META.race;
// the cells that may race (app.settings.RACE), each with its own defaults; those ticked race
const CELLS = Object.keys(RACE.cells);
const CLASSES = 4; // the tasks' default C (docs/MATH.md, section 17); the race does not change it
const title = (cell) => cellInfo(cell).title;

const TASK_TEXT = {
  adding: ({ length: T }) => `Each step reads a number u and a mark m; two steps are marked. At the last step the network `
    + `must say the sum of the two marked numbers. The first mark lies in steps 0–${Math.floor(T / 2) - 1}, so its number `
    + `must be carried up to ${T - 1} steps. Always answering 1 scores a loss of 1/12.`,
  'remember-first': ({ length: T }) => `Step 0 shows one of ${CLASSES} classes, every later step noise. At the last step `
    + `the network must say which class came first: a lag of ${T - 1} steps. Guessing is right 1 time in ${CLASSES}.`,
  copy: ({ delay: d }) => `Each step shows one of ${CLASSES} symbols. From step ${d} on, the network must say the symbol `
    + `shown ${d} steps before. Guessing is right 1 time in ${CLASSES}.`,
};

function readSettings() {
  const number = (id) => Number($(id).value);
  const task = $('task').value;
  const dataset = { name: task, length: number('length'), batch: number('batch'), seed: number('seed') };
  if (task === 'copy') dataset.delay = number('delay');
  const cells = {};
  for (const cell of CELLS) {
    const row = (name) => document.querySelector(`tr[data-cell="${cell}"] .${name}`);
    if (!row('races').checked) continue;
    cells[cell] = { optimizer: row('optimizer').value, learning_rate: Number(row('learning_rate').value) };
    for (const bias of ['forget_bias', 'input_bias', 'update_bias']) {
      if (row(bias) && row(bias).value !== '') cells[cell][bias] = Number(row(bias).value);
    }
  }
  const lag = task === 'copy' ? dataset.delay : dataset.length - 1;
  return { dataset, hidden_size: number('hidden_size'), seed: number('seed'), steps: number('steps'), cells, lag };
}

function writeDefaults() {
  const task = $('task').value;
  $('length').value = RACE.lengths[task];
  $('delay').value = RACE.delay;
  for (const [id, value] of [['hidden_size', RACE.hidden_size], ['batch', RACE.batch], ['seed', RACE.seed],
    ['steps', RACE.steps]]) if ($(id).value === '') $(id).value = value;
  for (const cell of CELLS) {
    for (const [name, value] of Object.entries(RACE.cells[cell])) {
      const input = document.querySelector(`tr[data-cell="${cell}"] .${name}`);
      if (input && (input.tagName === 'SELECT' || input.value === '')) input.value = value; // a select is never empty
    }
  }
}

function showTask() {
  const task = $('task').value;
  for (const el of document.querySelectorAll('[data-task]')) el.hidden = el.dataset.task !== task;
  $('task-help').textContent = TASK_TEXT[task]({ length: Number($('length').value), delay: Number($('delay').value) });
  $('accuracy-panel').hidden = task === 'adding';
}

// One race at a time; a new Start begins a new generation and answers of the old one are dropped.
const race = { generation: 0, running: false, paused: false, wake: null, settings: null, racers: [] };

function body(settings, racer, steps) {
  const own = settings.cells[racer.cell];
  const request = { dataset: settings.dataset, cell: racer.cell, optimizer: own.optimizer,
    learning_rate: own.learning_rate, steps, unfold: true, include: ['gain'] };
  if (racer.weights) return { ...request, weights: racer.weights, optimizer_state: racer.optimizerState };
  const biases = Object.fromEntries(['forget_bias', 'input_bias', 'update_bias'].filter((b) => b in own).map((b) => [b, own[b]]));
  return { ...request, ...biases, hidden_size: settings.hidden_size, seed: settings.seed };
}

function take(racer, answer, lag) {
  racer.weights = answer.weights;
  racer.optimizerState = answer.optimizer_state;
  racer.step = answer.step;
  const gain = answer.unfold.gain;
  racer.gain = gain;
  racer.points.push({ step: answer.step, loss: answer.eval.loss, accuracy: answer.eval.accuracy ?? null,
    reachH: gain.h[lag] ?? null, reachS: gain.s ? gain.s[lag] ?? null : null });
}

async function runCell(racer, generation) {
  const settings = race.settings;
  while (race.generation === generation && race.running && racer.step < settings.steps && !racer.error) {
    if (race.paused) { await new Promise((done) => { race.wake = done; }); continue; }
    // the first request makes no update: it measures the starting weights (the curves' update 0)
    const steps = racer.points.length ? Math.min(RACE.chunk, settings.steps - racer.step) : 0;
    let reply;
    try {
      // askJSON asks again after a dropped connection (an answer is a pure function of its request)
      reply = await askJSON('/api/v1/train', body(settings, racer, steps), `race-${racer.cell}`);
    } catch (error) {
      if (race.generation === generation) racer.error = `the server could not be reached (${error.message}); press Start to begin again`;
      break;
    }
    if (race.generation !== generation) return;
    if (!reply.ok) {
      racer.error = reply.data?.detail?.map((d) => d.msg).join('; ') ?? `the server answered ${reply.status}`;
      break;
    }
    take(racer, reply.data, settings.lag);
    draw();
  }
  if (race.generation === generation && race.racers.every((r) => r.error || r.step >= settings.steps)) finish();
}

// A cell's current weights in the full page, unfolded on held-out sequence 0 of the task: they
// go as imported weights (kept in sessionStorage for a page on the same cell and H, as an import
// is), and the link carries the task. A new tab, so the race goes on.
function openInPage(racer) {
  const { settings } = race;
  const H = racer.weights.W[0].length;
  keepImport(canonicalImport({
    cell: racer.cell, weights: racer.weights, name: `the race, ${title(racer.cell)} after ${racer.step} updates`,
    notes: [`Trained in the race on ${settings.dataset.name}, T = ${settings.dataset.length}, ${racer.step} updates.`],
  }));
  const link = new URLSearchParams({ kind: 'dataset', dataset: settings.dataset.name, length: settings.dataset.length,
    dseed: settings.dataset.seed, index: 0, cell: racer.cell, hidden_size: H, colour: 'source', step: settings.dataset.length - 1,
    ...(settings.dataset.name === 'copy' ? { delay: settings.dataset.delay } : {}) });
  window.open(`/?${link}`, '_blank');
}

function start() {
  const settings = readSettings();
  const invalid = [...document.querySelectorAll('#race-form input:not([hidden])')].find((input) => !input.checkValidity());
  if (invalid) {
    const name = invalid.getAttribute('aria-label') ?? invalid.labels?.[0]?.textContent.trim() ?? invalid.id;
    $('race-error').textContent = `${name}: ${invalid.validationMessage}`;
    invalid.focus();
    return;
  }
  if (!Object.keys(settings.cells).length) { $('race-error').textContent = 'Tick at least one cell to race.'; return; }
  $('race-error').textContent = '';
  race.generation += 1;
  Object.assign(race, { running: true, paused: false, settings, started: performance.now() });
  race.racers = Object.keys(settings.cells).map((cell) => ({ cell, step: 0, points: [], gain: null, weights: null, error: null }));
  buttons();
  draw();
  for (const racer of race.racers) runCell(racer, race.generation);
}

function pause() {
  race.paused = !race.paused;
  if (!race.paused) race.wake?.();
  buttons();
  draw();
}

function finish() {
  race.running = false;
  race.paused = false;
  race.wake?.();
  buttons();
  draw();
}

function buttons() {
  $('start').textContent = race.running ? '↺ Restart' : '▶ Start';
  $('pause').disabled = !race.running;
  $('pause').textContent = race.paused ? '▶ Go on' : '❚❚ Pause';
  $('stop').disabled = !race.running;
}

// "27× below guessing", "about what guessing scores" or "worse than guessing", from the numbers.
function againstChance(loss, chance) {
  if (loss <= chance / 2) return `${formatNumber(chance / loss, 2)}× below guessing`;
  return loss < chance * 1.1 ? 'about what guessing scores' : 'worse than guessing';
}

function caption() {
  const { settings } = race;
  const done = race.racers.filter((r) => r.points.length);
  if (!done.length) return race.running ? 'Training the first updates…' : $('race-caption').textContent;
  const adding = settings.dataset.name === 'adding';
  const chanceLoss = 1 / 12;
  const last = (r) => r.points[r.points.length - 1];
  const scores = done.map((r) => {
    const p = last(r);
    const score = adding ? `loss ${formatNumber(p.loss, 3)} (${againstChance(p.loss, chanceLoss)})`
      : `accuracy ${formatNumber(p.accuracy, 3)} (chance ${formatNumber(1 / CLASSES, 2)})`;
    return `${title(r.cell)} after ${p.step} updates: ${score}`;
  });
  const reach = done.map((r) => {
    const p = last(r);
    const s = p.reachS !== null && p.reachS !== undefined ? `, ${formatNumber(p.reachS, 2)} along s` : '';
    return `${title(r.cell)} ${p.reachH === null ? '0 (nothing reaches it)' : formatNumber(p.reachH, 2)}${s}`;
  });
  const reached = race.racers.every((r) => r.error || r.step >= settings.steps);
  const state = race.paused ? 'Paused. ' : race.running ? '' : reached ? 'Finished. ' : 'Stopped. ';
  const pace = new Set(done.map((r) => last(r).step)).size > 1 ? ' (each cell trains at its own pace: compare at one update on the charts)' : '';
  return `${state}Held-out${pace}: ${scores.join('; ')}. Of the last loss's error, the share left ${settings.lag} steps back `
    + `(G(${settings.lag})): ${reach.join('; ')}.`;
}

function progress() {
  const rows = d3.select('#race-progress').selectAll('div.racer').data(race.racers, (r) => r.cell).join((enter) => {
    const row = enter.append('div').attr('class', 'racer');
    row.append('span').attr('class', 'swatch').style('background', (r) => cellColour(r.cell));
    row.append('span').attr('class', 'racer-name').text((r) => title(r.cell));
    row.append('progress').attr('max', 1);
    row.append('span').attr('class', 'racer-step');
    row.append('button').attr('type', 'button').attr('class', 'racer-open')
      .text('open in the page').on('click', (event, r) => openInPage(r));
    row.append('span').attr('class', 'racer-error field-error');
    return row;
  });
  const total = race.settings?.steps ?? 1;
  rows.attr('data-cell', (r) => r.cell).attr('data-step', (r) => r.step);
  rows.select('progress').attr('value', (r) => r.step / total)
    .attr('aria-label', (r) => `${title(r.cell)}: ${r.step} of ${total} updates`);
  const elapsed = (performance.now() - (race.started ?? 0)) / 1000;
  rows.select('.racer-step').text((r) => {
    const left = total - r.step;
    const rate = r.step / Math.max(elapsed, 1e-3);
    const eta = race.running && r.step > 0 && left > 0 && !r.error ? `, about ${Math.ceil(left / rate)} s left` : '';
    return `${r.step} of ${total} updates (${left} to go${eta})`;
  });
  rows.select('.racer-error').text((r) => (r.error ? `stopped: ${r.error}` : ''));
  rows.select('.racer-open').property('disabled', (r) => !r.weights)
    .attr('title', (r) => `The ${title(r.cell)}'s weights after ${r.step} updates, unfolded on held-out sequence 0 of the task`);
}

function draw() {
  progress();
  $('race-caption').textContent = caption();
  const settings = race.settings;
  if (!settings) return;
  const racers = race.racers;
  const steps = settings.steps;
  const series = (value, dash = false) => racers.map((r) => ({
    key: `${r.cell}${dash ? '-s' : ''}`, label: title(r.cell) + (dash ? ' (along s)' : ''), colour: cellColour(r.cell), dash,
    points: r.points.map((p) => [p.step, value(p)]).filter(([, v]) => v !== null && v !== undefined),
  }));
  const adding = settings.dataset.name === 'adding';
  lineChart(d3.select('#loss-chart'), { x: { max: steps, label: 'update' }, y: { log: true, label: 'held-out loss' },
    series: series((p) => p.loss), guides: adding ? [{ y: 1 / 12, label: 'always 1: 1/12' }] : [],
    empty: 'The held-out loss appears after the first request.' });
  if (!adding) {
    lineChart(d3.select('#accuracy-chart'), { x: { max: steps, label: 'update' },
      y: { label: 'held-out accuracy', domain: [0, 1] }, series: series((p) => p.accuracy),
      guides: [{ y: 1 / CLASSES, label: `chance 1/${CLASSES}` }] });
  }
  $('reach-title').textContent = `How much of the last loss's error reaches ${settings.lag} steps back: G(${settings.lag})`;
  lineChart(d3.select('#reach-chart'), { x: { max: steps, label: 'update' }, y: { log: true, label: `G(${settings.lag})` },
    series: [...series((p) => p.reachH), ...series((p) => p.reachS, true).filter((s) => s.points.length)],
    guides: [{ y: 1, label: 'all of it' }], empty: 'No error reaches that far yet.' });
  const gains = racers.filter((r) => r.gain).flatMap((r) => [
    { key: r.cell, label: title(r.cell), colour: cellColour(r.cell), points: r.gain.h.map((g, d) => [d, g]) },
    ...(r.gain.s ? [{ key: `${r.cell}-s`, label: `${title(r.cell)} (along s)`, colour: cellColour(r.cell), dash: true,
      points: r.gain.s.map((g, d) => [d, g]) }] : []),
  ]);
  lineChart(d3.select('#gain-chart'), { x: { max: settings.dataset.length - 1, label: 'distance d (steps back)' },
    y: { log: true, label: 'G(d)' }, series: gains, marks: [{ x: settings.lag, label: `lag ${settings.lag}` }],
    empty: 'G(d) appears after the first request.' });
}

function setup() {
  d3.selectAll('.swatch[data-cell]').style('background', function swatch() { return cellColour(this.dataset.cell); });
  writeDefaults();
  showTask();
  swatchLegend($('race-legend'), { title: 'cells', items: [
    ...CELLS.map((cell) => ({ label: title(cell), colour: cellColour(cell) })),
    { label: 'LSTM, along its cell state s', colour: cellColour('lstm'), dashed: true },
  ] });
  $('task').addEventListener('change', () => { $('length').value = RACE.lengths[$('task').value]; showTask(); });
  for (const id of ['length', 'delay']) $(id).addEventListener('input', showTask);
  $('race-form').addEventListener('submit', (event) => { event.preventDefault(); start(); });
  $('pause').addEventListener('click', pause);
  $('stop').addEventListener('click', finish);
  document.addEventListener('keydown', (event) => {
    // Space pauses wherever the focus is but in a field (on a button it would press Start again)
    if (event.key !== ' ' || !race.running || event.target.closest('input, select, textarea')) return;
    event.preventDefault();
    pause();
  });
  window.addEventListener('resize', () => draw());
}

setup();
