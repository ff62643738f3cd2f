// The lesson's card and its rules: which step is open (the store's 'lesson', so every step is a
// link), Back / Next / Esc and the arrow keys, the regions of the page the step is about (the
// rest is dimmed) and its text with the numbers of the answer on screen.
import { META } from '../state/meta.js';
import { BASE, STEPS } from './lesson-steps.js';

const d3 = window.d3;
const $ = (id) => document.getElementById(id);
const WELCOMED = 'rnn-unfolded:welcomed';

// What the card calls each region when a step is about more than one (they may not fit on one
// screen: the card offers to bring each under it).
const REGION_NAMES = {
  network: 'the network', flows: 'the flow matrix', gradient: 'the gradient', explorer: 'the explorer',
  equations: 'the equations', training: 'training', folded: 'the folded cell',
};

// A step's view starts from this one, so that nothing of the previous step's lingers.
const VIEW = { colour: 'gradient', param: 'W', source: null, flowpath: 'h', step: 'middle', position: 'end', folded: false };

// On a short screen the card's text scrolls within it (app.css): while some of it is out of
// sight it fades out at the bottom and a button under it says so and scrolls it on (a fade
// alone was read as the end of the text).
function markMore(text) {
  const more = document.getElementById('lesson-more');
  const update = () => {
    const hidden = text.scrollTop + text.clientHeight < text.scrollHeight - 1;
    text.classList.toggle('more', hidden);
    more.hidden = !hidden;
  };
  text.onscroll = update;
  more.onclick = () => text.scrollBy({ top: 0.8 * text.clientHeight, behavior: 'smooth' });
  requestAnimationFrame(update); // once laid out
}

// What a step shows: its request (BASE, a preset's, or its own changes) and its view.
export function stepState(n) {
  const step = STEPS[n - 1];
  const preset = step.preset ? META.presets.find((p) => p.name === step.preset) : null;
  return { request: preset?.request ?? { ...BASE, ...step.request }, fromPreset: Boolean(preset), view: { ...VIEW, ...step.view } };
}

export function createLesson({ store, open }) {
  const card = $('lesson');
  const dots = d3.select('#lesson-dots').selectAll('li').data(STEPS).join('li')
    .append('button').attr('type', 'button').attr('aria-label', (d, i) => `Lesson step ${i + 1}`).attr('title', (d) => d.title)
    .on('click', (event, d) => go(STEPS.indexOf(d) + 1));

  function go(n) {
    const at = Math.max(1, Math.min(STEPS.length, n));
    open(stepState(at)); // first: the card then waits for this step's answer, not the one on screen
    store.set({ lesson: at });
  }

  function leave() {
    shownStep = null;
    store.set({ lesson: null });
    $('lesson-start').focus();
  }

  // The card follows the step and the answer (its numbers) and the notation (its letters).
  function render(state) {
    const n = state.lesson;
    document.body.classList.toggle('lesson-on', n !== null);
    card.hidden = n === null;
    const step = n === null ? null : STEPS[n - 1];
    for (const region of document.querySelectorAll('[data-region]')) {
      const on = step?.regions.includes(region.dataset.region);
      region.classList.toggle('lesson-focus', Boolean(step && on));
      region.classList.toggle('lesson-dim', Boolean(step && !on));
    }
    if (!step) return;
    $('lesson-progress').textContent = `Step ${n} of ${STEPS.length}`;
    $('lesson-title').textContent = step.title;
    dots.attr('aria-current', (d, i) => (i + 1 === n ? 'step' : null));
    $('lesson-back').disabled = n === 1;
    $('lesson-next').textContent = n === STEPS.length ? 'Finish' : 'Next ›';
    const model = state.model;
    // the words wait for the answer the step asked for
    const ready = model && !state.lessonPending;
    $('lesson-text').textContent = ready ? step.text(model) : 'Computing…';
    markMore($('lesson-text'));
    $('lesson-equation').textContent = ready ? step.equation(model) : '';
    const jumps = d3.select('#lesson-go');
    jumps.selectAll('*').remove();
    if (ready && step.regions.length > 1) {
      jumps.append('span').text('Bring under the card:');
      jumps.selectAll('button').data(step.regions.filter((r) => REGION_NAMES[r])).join('button').attr('type', 'button')
        .attr('data-region-name', (r) => r).text((r) => REGION_NAMES[r]).on('click', (event, r) => reveal([r]));
    }
    if (ready && shownStep !== n) {
      shownStep = n;
      requestAnimationFrame(() => reveal(step.regions)); // once the answer's panels are shown or hidden
    }
  }

  // The step's first region scrolls up to just under the card (once per step, not at every
  // new answer, so training or a slider does not move the page under the reader).
  let shownStep = null;
  function reveal(regions) {
    const all = [...document.querySelectorAll('[data-region]')].filter((r) => !r.hidden);
    const region = regions.map((name) => all.find((r) => r.dataset.region === name)).find(Boolean);
    if (!region) return;
    region.style.scrollMarginTop = `${card.getBoundingClientRect().height + 12}px`;
    region.scrollIntoView({ block: 'start' });
  }

  $('lesson-start').addEventListener('click', () => {
    localStorage.setItem(WELCOMED, '1');
    $('welcome').hidden = true;
    go(store.get().lesson ?? 1);
    card.focus();
  });
  $('lesson-back').addEventListener('click', () => go(store.get().lesson - 1));
  $('lesson-next').addEventListener('click', () => (store.get().lesson === STEPS.length ? leave() : go(store.get().lesson + 1)));
  $('lesson-close').addEventListener('click', leave);
  $('welcome-dismiss').addEventListener('click', () => { localStorage.setItem(WELCOMED, '1'); $('welcome').hidden = true; });
  // in the lesson, ← → turn its pages and Esc leaves it (before the player's own keys)
  document.addEventListener('keydown', (event) => {
    if (store.get().lesson === null || event.target.closest('input, select, textarea, [contenteditable]')) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1 };
    if (event.key === 'Escape') leave();
    else if (moves[event.key]) go(store.get().lesson + moves[event.key]);
    else return;
    event.preventDefault();
    event.stopPropagation();
  }, true);
  store.on(['lesson', 'model', 'notation', 'lessonPending'], render);
  // a new window size (a laptop plugged into a projector) moves the step's region under the card again
  let resizing = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { const n = store.get().lesson; if (n !== null) reveal(STEPS[n - 1].regions); }, 150);
  });

  // A first visit (no link state, never welcomed) is invited to the lesson; a link to a step opens it.
  const n = store.get().lesson;
  if (n === null && !window.location.search && !localStorage.getItem(WELCOMED)) $('welcome').hidden = false;
  return { resume: () => (n === null ? null : stepState(n)), render };
}
