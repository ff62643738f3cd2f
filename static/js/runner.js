// From the form to an answer on screen: the form writes into the store when what it holds is
// valid, a change to a request field asks for a new answer, and at most one request is in
// flight (the latest state wins, and a dragged slider never piles requests onto the server).
// The answer on screen belongs to the state it was computed for: a refused request keeps the
// old picture, marked as not matching the form any more.
import { askJSON } from './io/api.js';
import { drawingPanels, onBusy, setBusy } from './controls/busy.js';
import { measureRendered } from './blocks/timing.js';
import * as controls from './controls/controls.js';
import { REQUEST_KEYS, toRequest } from './state/state.js';

const $ = (id) => document.getElementById(id);
const RERUN_DELAY_MS = 350; // a pause in typing before a changed field asks for a new answer
const CUT_SHORT = 'The answer was cut off before it was whole (the connection ended). Please run again.';

// show(data, request, {together}) draws an answer and resolves once every panel is drawn;
// trainer: {invalidate(), trained()}, told when the request changes.
export function createRunner({ store, show, trainer }) {
  let running = false;
  let again = false;
  let pending = null; // the timer of a pause in typing
  let sliderStart = null; // a dragged slider's input event: its latency is measured from there

  async function run() {
    clearTimeout(pending);
    if (running) { again = true; return; }
    running = true;
    const body = toRequest(store.get());
    const slider = sliderStart;
    sliderStart = null;
    setBusy(true);
    try {
      const { ok, status, data, arrived, parsed, first, later } = await askJSON('/api/v1/unfold', body, 'main', { onBusy, early: slider === null }); // a slider's is drawn whole
      if (ok && data === null) { // its body did not come whole: the picture on screen stays
        controls.showErrors([{ loc: ['body'], msg: CUT_SHORT }]);
        markStale();
      } else if (ok) {
        controls.clearErrors();
        performance.measure('rnn-unfolded:parse', { start: arrived, end: parsed });
        await drawAnswer(data, body, parsed, slider, first, later);
      } else {
        controls.showErrors(data?.detail ?? [{ loc: ['body'], msg: `The server answered ${status}. Please try again.` }],
          store.get().weights?.mapping);
        markStale();
      }
    } catch (error) {
      if (error.name === 'AbortError') return;
      controls.showErrors([{ loc: ['body'], msg: `Could not reach the server: ${error.message}` }]);
      markStale();
    } finally {
      running = false;
      setBusy(false);
      if (!again && store.get().lessonPending) store.set({ lessonPending: false }); // refused: the card says what is on screen
      if (again) { again = false; run(); }
    }
  }

  // The network is painted first (the draw measure), as soon as the part of the answer it is
  // drawn from is read (all but the flows, which its error bands and paths need: they follow),
  // every panel below it after (complete), those that show its late sections once they are in
  // (later); a lesson's card quotes the flows, so a lesson waits for them (first). A dragged
  // slider draws what is in view in one frame (its gain plot is a panel), so from the whole
  // answer, and the panels out of view later: its measure is the slider's, and no 'complete'
  // is claimed.
  async function drawAnswer(data, body, parsed, slider, first, later) {
    const together = slider !== null;
    try {
      if (together) await later;
      else if (store.get().lesson) await first;
      const panels = show(data, body, { together, first, later });
      drawingPanels();
      measureRendered('rnn-unfolded:draw', parsed);
      await panels;
    } catch (error) {
      drawFailed(error);
      return;
    }
    if (together) measureRendered('rnn-unfolded:slider', slider);
    else measureRendered('rnn-unfolded:complete', parsed, { inFrame: true });
  }

  // A bug of ours, not the user's input: say so, keep the form as it is. An answer whose rest
  // never came (io/api.js) is no bug: the user is asked to run again.
  function drawFailed(error) {
    if (error.name === 'AnswerCutShort') {
      controls.showErrors([{ loc: ['body'], msg: CUT_SHORT }]);
      markStale();
      return;
    }
    console.error(error);
    controls.showErrors([{ loc: ['body'], msg: `The answer came but could not be drawn (${error.message}); please report it.` }]);
    markStale();
  }

  // the notice asks to fix a field only when one is marked (a busy or unreachable server marks none)
  function markStale() {
    $('stale').hidden = !store.get().model;
    $('stale-fields').hidden = !document.querySelector('[aria-invalid="true"]');
  }

  // now: Enter, Run or a new cell asks at once; live: a dragged slider, whose picture is not
  // marked stale while its answer comes (start: its input event).
  function fromForm({ now = false, live = false, start = null } = {}) {
    const form = controls.readForm();
    const problems = controls.localErrors(form);
    if (problems.length) { controls.showErrors(problems); markStale(); return; }
    controls.clearErrors();
    if (start !== null) sliderStart = start;
    const changed = store.set(form);
    const asks = REQUEST_KEYS.some((k) => changed.has(k));
    if (asks) { if (!live) markStale(); trainer.invalidate(); }
    if (now && (asks || !trainer.trained())) run(); // Run keeps a trained network on screen until the form changes
    else if (asks) { clearTimeout(pending); pending = setTimeout(run, RERUN_DELAY_MS); }
  }

  return { run, fromForm, drawFailed, markStale };
}
