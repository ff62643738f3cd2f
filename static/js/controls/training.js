// Watch it learn: Train runs chunks of updates on the server (POST /api/v1/train), each answer
// carrying the new weights, the optimizer's state and the unfold of the new weights, which the
// page draws at once; the next chunk continues exactly from them. The loss curve grows as the
// chunks arrive, with a mark wherever clipping acted; a scrubber takes the page back to any
// snapshot kept so far; for text, a line shows what the model would write now. Nothing the
// run learned is lost to an error: the weights so far stay, the message says what happened.
import { formatNumber } from '../blocks/format.js';
import { forget, recall, remember } from '../state/keep.js';
import { META } from '../state/meta.js';
import { drawLossCurve } from '../views/losscurve.js';

const d3 = window.d3;
const $ = (id) => document.getElementById(id);
const MAX_SNAPSHOTS = 60; // older ones are thinned, every other one dropped
const MAX_STEPS = 5000; // a run pauses itself here
const SAMPLE = { length: 60, temperature: 0.5 };

export function createTrainer({ request, current, askJSON, onSnapshot, onStateChange }) {
  const defaults = META.defaults.train;
  const button = $('train');
  const reset = $('train-reset');
  const counter = $('train-step');
  const message = $('train-message');
  const scrubber = $('train-scrubber');
  const curve = d3.select('#train-curve');
  const sampleLine = $('train-sample');
  // each optimizer comes with its own learning rate (META.defaults.train.learning_rates)
  $('optimizer').value = defaults.optimizer;
  $('learning_rate').value = defaults.learning_rates[defaults.optimizer];
  $('optimizer').addEventListener('change', () => {
    $('learning_rate').value = defaults.learning_rates[$('optimizer').value];
    if (run.weights) { // the weights learned so far go on, with the new optimizer's own (fresh) state
      run.state = null;
      say(`Switched to ${$('optimizer').value}: training goes on from the weights learned so far.`);
    }
  });

  let run = null; // {weights, state, step, losses: [{step, loss, clipped}], snapshots: [{step, data}]}
  let running = false;
  let shownSnapshot = null;

  const clearRun = () => {
    run = { weights: null, state: null, step: 0, losses: [], snapshots: [] };
    shownSnapshot = null;
  };
  clearRun();

  function settings() {
    const clipMode = $('clip_mode').value;
    return {
      optimizer: $('optimizer').value,
      learning_rate: Number($('learning_rate').value),
      steps: defaults.steps,
      clip: clipMode === 'off' ? null : { mode: clipMode, threshold: Number($('clip_threshold').value) },
    };
  }

  function say(text, isError = false) {
    message.textContent = text;
    message.classList.toggle('field-error', isError);
  }

  let looping = false; // a chunk may still be on its way after Pause
  function setRunning(on) {
    running = on;
    const finishing = !on && looping;
    button.textContent = on ? '❚❚ Pause' : finishing ? 'Pausing…' : run.step ? '▶ Continue' : '▶ Train';
    button.disabled = finishing;
    button.setAttribute('aria-pressed', String(on));
    onStateChange?.(on);
  }

  // The request with the run's weights in place of the seeded ones (which ρ(W) and the forget
  // bias would set): every request about what the run learned is asked this way.
  const learned = (body, weights = run.weights) => ({ ...body, weights, spectral_radius: undefined, forget_bias: undefined, update_bias: undefined });
  // J of the weights a snapshot holds: the number the page's summary writes for them (J after
  // the last update of that snapshot; the curve is J before each update)
  const after = (step, J, of = null) => `${of === null ? '' : 'showing '}step ${step}${of === null ? '' : ` of ${of}`} · `
    + `J = ${formatNumber(J, 6)} ${step ? 'after this update' : 'before any update'}`;

  async function chunk() {
    let body = { ...request(), ...settings(), unfold: true };
    if (run.weights) { // continue exactly: these weights, this state; nothing re-initialises them
      body = learned(body);
      if (run.state) body.optimizer_state = run.state;
    }
    const { ok, status, data } = await askJSON('/api/v1/train', body, 'train');
    if (!ok) {
      const detail = data?.detail?.[0];
      const where = detail?.loc?.slice(1).join('.') || 'request';
      throw new Error(detail ? `${where}: ${detail.msg}` : `the server answered ${status}`);
    }
    return data;
  }

  // A run is kept across a reload for a page opened on the same request (imported weights
  // aside: they are kept on their own). Its snapshots are not: each is a whole answer.
  const belongsTo = () => JSON.stringify({ ...request(), weights: undefined });
  // Written when the page is idle (a large run's JSON takes a frame or two) or as it is left,
  // whichever comes first, and only if the run is still the one on screen: a Reset meanwhile
  // has forgotten it, and must stay obeyed.
  let unsaved = null;
  function persist() {
    const mine = run;
    const about = belongsTo();
    unsaved = () => {
      unsaved = null;
      if (run !== mine) return;
      const { weights, state, step, losses } = mine;
      if (remember('training', about, { weights, state, step, losses })) return;
      // too large with the optimizer's state: the weights alone (the optimizer starts afresh)
      if (!remember('training', about, { weights, state: null, step, losses })) say('This run is too large to be kept if the page is reloaded.');
    };
    requestIdleCallback(() => unsaved?.(), { timeout: 1000 });
  }
  window.addEventListener('pagehide', () => unsaved?.());

  function keep(data) {
    const first = run.step;
    const before = current();
    if (!run.snapshots.length && before) { // the untrained network is snapshot 0: scrub back to the start
      run.snapshots.push({ step: 0, data: before, loss: before.forward.total_loss });
    }
    data.losses.forEach((loss, i) => run.losses.push({ step: first + i, loss, clipped: data.clipped[i] }));
    run.weights = data.weights;
    run.state = data.optimizer_state;
    run.step = data.step;
    run.snapshots.push({ step: run.step, data: data.unfold, loss: data.final_loss });
    if (run.snapshots.length > MAX_SNAPSHOTS) run.snapshots = run.snapshots.filter((_, i) => i % 2 === 1 || i === 0);
    scrubber.max = run.snapshots.length - 1;
    scrubber.value = run.snapshots.length - 1;
    scrubber.disabled = run.snapshots.length < 2;
    shownSnapshot = run.snapshots.length - 1;
    persist();
  }

  async function loop() {
    looping = true;
    try {
      await chunks();
    } finally {
      looping = false;
      setRunning(false);
    }
  }

  async function chunks() {
    const mine = run; // a reset while a chunk is on its way makes its answer belong to nobody
    while (running && run === mine) {
      const settingsNow = settings();
      if (!(settingsNow.learning_rate > 0)) { say('learning rate: must be a number above 0', true); break; }
      let data;
      try {
        data = await chunk();
      } catch (error) {
        if (error.name === 'AbortError' || run !== mine) return;
        say(`Training stopped at step ${run.step} (the weights learned so far are kept): ${error.message}`, true);
        break;
      }
      if (run !== mine) return;
      keep(data); // a chunk that arrives after Pause is kept: it was learned
      counter.textContent = after(run.step, data.unfold.forward.total_loss);
      say(divergence(data) ?? '');
      onSnapshot(data.unfold);
      drawCurve();
      await sample(); // one request at a time from the trainer: the server has two computation slots
      if (run.step >= MAX_STEPS) { say(`Paused at ${MAX_STEPS} steps; Continue goes on.`); break; }
    }
  }

  // What the weights on screen would write: the newest's, or a snapshot's when the scrubber went
  // back (the line says which).
  async function sample(weights = run.weights, step = run.step) {
    const body = request();
    if (body.sequence === undefined || !weights) { sampleLine.textContent = ''; return; }
    if (body.bidirectional) { // its reverse direction would read the text from an end not yet written
      sampleLine.textContent = 'A bidirectional stack does not write text: its reverse direction reads the text from its end.';
      return;
    }
    const { ok, data } = await askJSON('/api/v1/sample', {
      ...learned(body, weights), include: undefined, length: SAMPLE.length, temperature: SAMPLE.temperature, sample_seed: step,
    }, 'sample').catch(() => ({ ok: false }));
    if (ok) sampleLine.textContent = `At step ${step} it would write: ${data.start}${data.text}`;
  }

  // J is summed over the T steps of the sequence, so a rate that suits T = 4 can blow up at
  // T = 300: a loss that rose a hundredfold within the run is said so, with what to try.
  function divergence(data) {
    const losses = run.losses.map((p) => p.loss);
    const lowest = Math.min(...losses);
    const now = data.final_loss;
    if (!(now > 100 * lowest)) return null;
    return `The loss rose from ${formatNumber(lowest, 3)} to ${formatNumber(now, 3)} (×${formatNumber(now / lowest, 2)}): `
      + `training is diverging. J is summed over all ${data.unfold.config.steps} steps, so its gradient grows with the `
      + 'sequence: lower the learning rate η, or clip the gradients.';
  }

  function drawCurve() {
    const points = run.losses;
    d3.select('#train-panel').classed('has-run', points.length > 0);
    const shown = shownSnapshot === null ? null : run.snapshots[shownSnapshot];
    drawLossCurve(curve, { points, last: run.step, shown: shown?.step ?? null, log: $('train-log').checked });
  }

  function toggle() {
    if (running) { setRunning(false); return; }
    // training goes on from the newest weights, whatever snapshot is on screen
    if (shownSnapshot !== null && shownSnapshot !== run.snapshots.length - 1) {
      shownSnapshot = run.snapshots.length - 1;
      scrubber.value = shownSnapshot;
      onSnapshot(run.snapshots[shownSnapshot].data);
    }
    setRunning(true);
    loop();
  }

  function resetRun({ redraw = true } = {}) {
    const had = run.step > 0;
    setRunning(false);
    clearRun();
    counter.textContent = 'step 0';
    sampleLine.textContent = '';
    scrubber.max = 0;
    scrubber.value = 0;
    scrubber.disabled = true;
    drawCurve();
    setRunning(false);
    if (had && redraw) onSnapshot(null); // the initial weights again (the same seed: the same run)
  }

  button.addEventListener('click', toggle);
  reset.addEventListener('click', () => {
    resetRun();
    forget('training');
    say('Back to the initial weights (the same seed gives the same run).');
  });
  $('train-log').addEventListener('change', drawCurve);
  $('clip_mode').addEventListener('change', () => { $('clip_threshold').disabled = $('clip_mode').value === 'off'; });
  scrubber.addEventListener('input', () => {
    if (running) setRunning(false);
    shownSnapshot = Number(scrubber.value);
    const snap = run.snapshots[shownSnapshot];
    if (!snap) return;
    counter.textContent = after(snap.step, snap.data ? snap.data.forward.total_loss : snap.loss, run.step);
    onSnapshot(snap.data);
    drawCurve();
    sample(snap.data?.weights ?? run.weights, snap.step); // the sample line follows the weights on screen
  });
  resetRun({ redraw: false });

  // A run kept from before a reload of this request: its weights are drawn (the one snapshot),
  // its curve and step come back, and Continue goes on from it. Null when none was kept, or
  // what was kept is not a run (storage is the reader's to edit: the page must still open).
  function restore() {
    const saved = recall('training', belongsTo());
    const { weights, state = null, step, losses } = saved ?? {};
    if (!(weights && typeof weights === 'object' && Number.isInteger(step) && step > 0 && Array.isArray(losses))) {
      if (saved) forget('training');
      return null;
    }
    run = { weights, state, step, losses, snapshots: [] };
    counter.textContent = `step ${step}`;
    setRunning(false);
    drawCurve();
    say(`Kept from before the reload: ${step} steps of training${state ? '' : ' (the optimizer starts afresh)'}. Continue trains further; Reset goes back to the initial weights.`);
    return askJSON('/api/v1/unfold', learned(request()), 'train')
      .then(({ ok, data }) => {
        if (!ok) throw new Error(data?.detail?.[0]?.msg ?? 'the server refused them');
        run.snapshots.push({ step, data, loss: data.forward.total_loss });
        shownSnapshot = 0;
        counter.textContent = after(step, data.forward.total_loss);
        onSnapshot(data);
        sample();
        return true;
      })
      .catch((error) => {
        say(`The weights kept from before the reload could not be drawn (${error.message}); Continue trains them further, Reset drops them.`, true);
        return false;
      });
  }

  return {
    restore,
    // the network or the sequence changed: the weights learned belong to the old one
    invalidate() {
      if (!run.step && !running) return;
      resetRun({ redraw: false });
      forget('training');
      say('Training reset: the network or the sequence changed.');
    },
    running: () => running,
    trained: () => run.step > 0,
    // the newest weights learned, at full precision (null before any training)
    weights: () => (run.step > 0 ? run.weights : null),
  };
}
