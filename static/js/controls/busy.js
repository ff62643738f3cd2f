// While an answer is computed the page says so (the notice once it has taken a moment, so a
// quick answer, as each step of a dragged slider, does not flash it), and after a second how
// long it has been; a busy server (503) is not an error: the page says it is retrying, and does.
const $ = (id) => document.getElementById(id);
const COMPUTING = 'Computing the forward pass and BPTT…';
const DRAWING = 'Drawing the panels…'; // the network is drawn; the rest of the answer may still be on its way
let working = COMPUTING;
const NOTICE_AFTER_MS = 300;
let clock = null;
let notice = null;

// Run stays enabled: a form with a disabled submit button ignores Enter, and Enter or Run
// pressed while an answer is computed asks again once it is in (the runner queues it).
export function setBusy(busy) {
  $('run').textContent = busy ? 'Running…' : 'Run';
  $('stage').setAttribute('aria-busy', String(busy));
  clearTimeout(notice);
  clearInterval(clock);
  $('loading').hidden = true;
  working = COMPUTING;
  $('loading-text').textContent = working;
  if (!busy) return;
  notice = setTimeout(() => { $('loading').hidden = false; }, NOTICE_AFTER_MS);
  const started = performance.now();
  clock = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    if (!$('loading-text').textContent.startsWith('Server busy')) $('loading-text').textContent = `${working} ${seconds} s`;
  }, 1000);
}

// The answer's network is drawn: what is left is the panels (and the late part of the answer).
export function drawingPanels() {
  working = DRAWING;
  $('loading-text').textContent = $('loading-text').textContent.replace(COMPUTING, DRAWING);
}

// askJSON's onBusy: the attempt that is about to be retried
export function onBusy(attempt) {
  $('loading-text').textContent = `Server busy, retrying… (attempt ${attempt + 1})`;
  $('loading').hidden = false;
}
