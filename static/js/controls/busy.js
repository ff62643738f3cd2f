// While an answer is computed the page says so (the notice once it has taken a moment, so a
// quick answer, as each step of a dragged slider, does not flash it), and after a second how
// long it has been; a busy server (503) is not an error: the page says it is retrying, and does.
const $ = (id) => document.getElementById(id);
const WORKING = 'Computing the forward pass and BPTT…';
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
  $('loading-text').textContent = WORKING;
  if (!busy) return;
  notice = setTimeout(() => { $('loading').hidden = false; }, NOTICE_AFTER_MS);
  const started = performance.now();
  clock = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    if (!$('loading-text').textContent.startsWith('Server busy')) $('loading-text').textContent = `${WORKING} ${seconds} s`;
  }, 1000);
}

// askJSON's onBusy: the attempt that is about to be retried
export function onBusy(attempt) {
  $('loading-text').textContent = `Server busy, retrying… (attempt ${attempt + 1})`;
  $('loading').hidden = false;
}
