// When each view is brought up to date with the store. The network follows every change at
// once; the panels below it (flow matrix, gradient, equations, explorer):
// - for a new answer, in the frame after the network's (drawLater: at T = 256 they are about
//   as much work again); for a dragged slider, the live ones (the flow matrix and the gain plot,
//   which show what the slider moves) in the same frame (drawNow), the others once the drag
//   pauses (SETTLE_MS without a new answer: a drag brings one every 50-200 ms);
// - while the player runs, at most every LAG_MS, catching up on the playhead's latest position;
// - out of view, when they come into view or the page is idle: a selection or a dragged slider
//   paints what is seen first, and the panels below the fold follow a moment later.
import { createOnscreen } from './blocks/onscreen.js';

const LAG_MS = 150;
const IDLE_TIMEOUT_MS = 300; // a panel out of view waits for an idle moment at most this long
const SETTLE_MS = 600;

// network, panels: [{view, keys, region, live, late}], view: {draw(model, options), highlight(viewState)};
// late: the panel shows an answer's late sections (io/binary.js), drawn once they are in;
// viewOf(state) -> what the views highlight; playing() -> whether the player runs.
export function createSchedule({ store, viewOf, playing, network, panels }) {
  let pending = null; // the model whose panels wait for the next frame
  const awaiting = new Set(); // late panels waiting for the rest of their answer
  const stale = new Map(); // panel -> 'draw' | 'highlight': behind the store while out of view
  let idle = null;
  let lagTimer = null;
  // a panel left behind, up to date now: it came into view, was reached, or the page is idle
  const catchUpWith = (panel) => { if (stale.has(panel)) bring(panel, stale.get(panel), { now: true }); };
  const onscreen = createOnscreen((region) => catchUpWith(panels.find((p) => p.region === region)));
  for (const panel of panels) {
    onscreen.watch(panel.region);
    // reached before the observer has said so (a key, a pointer): brought up to date first
    for (const type of ['focusin', 'pointerenter']) panel.region.addEventListener(type, () => catchUpWith(panel));
  }

  // what: 'draw' (a new answer) or 'highlight'; now: even if out of view
  function bring(panel, what, { now = false } = {}) {
    const state = store.get();
    if (!state.model || pending || awaiting.has(panel)) return; // the next frame (or the rest of the answer) draws them, with the latest state
    const owed = stale.get(panel) === 'draw' ? 'draw' : what;
    if (!now && !onscreen.isOnscreen(panel.region)) {
      leaveBehind(panel, owed); // until it is in view
      idle ??= requestIdleCallback(catchUp, { timeout: IDLE_TIMEOUT_MS });
      return;
    }
    stale.delete(panel);
    panel.region.removeAttribute('aria-busy');
    const start = performance.now();
    if (owed === 'draw') panel.view.draw(state.model, { flowPath: state.flowpath });
    panel.view.highlight(viewOf(state));
    const name = panel.region.closest('[data-region]')?.dataset.region;
    if (owed === 'draw') performance.measure(`rnn-unfolded:panel:${name}`, { start }); // each panel's part (bench/page.py)
  }

  // a panel behind the store, and saying so
  function leaveBehind(panel, what) {
    stale.set(panel, what);
    panel.region.setAttribute('aria-busy', 'true');
  }

  // every panel left behind (an idle moment, an export)
  function catchUp() {
    idle = null;
    for (const panel of [...stale.keys()]) catchUpWith(panel);
  }

  function lagBehind() {
    if (lagTimer !== null) return;
    lagTimer = setTimeout(() => {
      lagTimer = null;
      for (const panel of panels) bring(panel, 'highlight');
    }, LAG_MS);
  }

  // Each view redraws only for the keys it shows (and a new answer, 'model').
  store.on(network.keys, (state) => { if (state.model) network.view.highlight(viewOf(state)); });
  for (const panel of panels) {
    store.on(panel.keys, (state, changed) => {
      if (playing() && changed.size === 1 && changed.has('position')) lagBehind();
      else bring(panel, 'highlight');
    });
  }

  // A new answer is on its way to the store: the panels wait for drawLater or drawNow.
  function hold(model) {
    pending = model;
    awaiting.clear();
    for (const { region } of panels) region.setAttribute('aria-busy', 'true');
  }

  // A new answer's panels, in the frame after the network's once `first` (all but the late
  // sections) is in, the late ones once `later` (the whole answer) is; resolves once they are
  // drawn (true), or once a newer answer has taken over (false).
  function drawLater(model, { first = Promise.resolve(), later = Promise.resolve() } = {}) {
    // handled now: a part that fails at once is no unhandled rejection
    const [cameFirst, came] = [first, later].map((part) => part.then(() => null, (error) => error));
    return new Promise((resolve, reject) => {
      // in the frame after the one that paints the network (and after the task that measures it)
      requestAnimationFrame(() => requestAnimationFrame(() => cameFirst.then((error) => {
        if (pending !== model) { resolve(false); return; } // a newer answer draws its own
        if (error) { reject(error); return; }
        pending = null;
        const late = panels.filter((p) => p.late);
        for (const panel of late) awaiting.add(panel);
        try {
          for (const panel of panels) if (!panel.late) bring(panel, 'draw', { now: true });
        } catch (drawError) {
          reject(drawError);
          return;
        }
        came.then((lateError) => {
          if (lateError) { reject(lateError); return; }
          if (pending !== null || store.get().model !== model) { resolve(false); return; } // a newer answer took over
          for (const panel of late) awaiting.delete(panel);
          for (const panel of late) bring(panel, 'draw', { now: true });
          resolve(true);
        }).catch(reject);
      })));
    });
  }

  // A dragged slider's answer: the live panels in view in this frame, the others once the drag
  // pauses, and any out of view once they come into view or the page is idle.
  let settle = null;
  function drawNow(model) {
    if (pending !== model) return;
    pending = null;
    for (const panel of panels.filter((p) => p.live)) bring(panel, 'draw');
    for (const panel of panels.filter((p) => !p.live)) leaveBehind(panel, 'draw');
    clearTimeout(settle);
    settle = setTimeout(() => {
      for (const panel of panels) if (stale.has(panel)) bring(panel, 'draw');
    }, SETTLE_MS);
  }

  return { hold, drawLater, drawNow, flush: catchUp, waiting: () => pending !== null };
}
