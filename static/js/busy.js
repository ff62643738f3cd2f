// While an answer is computed the page says so, and after a second how long it has been; a
// busy server (503) is not an error: the page says it is retrying, and does.
const $ = (id) => document.getElementById(id);
const WORKING = 'Computing the forward pass and BPTT…';
let clock = null;

export function setBusy(busy) {
  $('run').disabled = busy;
  $('run').textContent = busy ? 'Running…' : 'Run';
  $('stage').setAttribute('aria-busy', String(busy));
  $('loading').hidden = !busy;
  clearInterval(clock);
  $('loading-text').textContent = WORKING;
  if (!busy) return;
  const started = performance.now();
  clock = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    if (!$('loading-text').textContent.startsWith('Server busy')) $('loading-text').textContent = `${WORKING} ${seconds} s`;
  }, 1000);
}

// askJSON's onBusy: the attempt that is about to be retried
export function onBusy(attempt) {
  $('loading-text').textContent = `Server busy, retrying… (attempt ${attempt + 1})`;
}
