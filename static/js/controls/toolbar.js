// The toolbar over the network: the colouring, the flow path, the notation, projector mode and
// the side views (neurons, folded, compare), each written into the store and kept in step with
// it; and the page's keys for the player (Space, ← →) when no control has the focus.
const d3 = window.d3;
const $ = (id) => document.getElementById(id);

// Projector mode on a short screen (issue 25, item 10): a tall network (the LSTM's, the GRU's)
// does not fit under the header and the toolbar, so the page scrolls just enough to show its
// whole height, as little of the controls as it must.
export function fitNetwork() {
  if (!document.body.classList.contains('projector')) return;
  const svg = document.querySelector('svg.network');
  if (!svg) return;
  const { top, bottom } = svg.getBoundingClientRect();
  if (bottom > innerHeight && top > 0) window.scrollBy(0, Math.min(bottom - innerHeight + 4, top));
}

function sync(state) {
  d3.selectAll('input[name="colour"]').property('checked', function () { return this.value === state.colour; });
  d3.selectAll('input[name="flowpath"]').property('checked', function () { return this.value === state.flowpath; });
}

export function setupToolbar(store, player) {
  const state = store.get();
  d3.selectAll('input[name="colour"]').on('change', function () { store.set({ colour: this.value, source: null }); });
  d3.selectAll('input[name="flowpath"]').on('change', function () { store.set({ flowpath: this.value }); });
  store.on(['colour', 'flowpath'], sync);
  sync(state);
  d3.select('#notation').on('change', function () { store.set({ notation: this.value }); });
  d3.select('#projector').on('change', function () { store.set({ projector: this.checked }); });
  store.on(['projector'], ({ projector }) => {
    document.body.classList.toggle('projector', projector);
    $('projector').checked = projector;
    requestAnimationFrame(fitNetwork);
  });
  document.body.classList.toggle('projector', state.projector);
  $('projector').checked = state.projector;
  for (const name of ['neurons', 'folded', 'compare']) {
    d3.select(`#${name}`).property('checked', state[name]).on('change', function () { store.set({ [name]: this.checked }); });
  }
  // the comparison opens far below the network: ticking it brings it where the eye is
  d3.select('#compare').on('change.scroll', function () {
    if (this.checked) requestAnimationFrame(() => $('compare-panel').scrollIntoView({ behavior: 'smooth', block: 'start' }));
  });
  d3.select(document).on('keydown', (event) => {
    // a view that takes arrow keys itself (data-keys) has them while it has the focus
    if (event.target.closest('input, select, textarea, button, [contenteditable], [data-keys]')) return;
    if (event.key === ' ') { event.preventDefault(); player.toggle(); }
    if (event.key === 'ArrowRight') { event.preventDefault(); player.step(1); }
    if (event.key === 'ArrowLeft') { event.preventDefault(); player.step(-1); }
  });
}
