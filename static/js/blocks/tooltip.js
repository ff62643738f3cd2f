// One tooltip for the whole page. Content is set with textContent only: user text is never markup.
const d3 = window.d3;
let tip;

function element() {
  if (!tip) {
    tip = d3.select('body').append('div').attr('class', 'tooltip').attr('role', 'tooltip').style('opacity', 0);
  }
  return tip;
}

// lines: array of strings; the first is bold.
export function show(event, lines) {
  const el = element();
  el.selectAll('div').data(lines).join('div').attr('class', (_, i) => (i === 0 ? 'tip-title' : 'tip-line'))
    .text((d) => d);
  const pad = 14;
  const { innerWidth, innerHeight } = window;
  const box = el.node().getBoundingClientRect();
  const left = Math.min(event.clientX + pad, innerWidth - box.width - 4);
  const top = event.clientY + pad + box.height > innerHeight ? event.clientY - box.height - pad : event.clientY + pad;
  const zoom = el.node().currentCSSZoom || 1; // projector mode zooms the page; left and top are zoomed too
  el.style('left', `${left / zoom}px`).style('top', `${top / zoom}px`).style('opacity', 1);
}

export function hide() {
  element().style('opacity', 0);
}

// Attach to a selection: describe(d) -> lines.
export function tooltip(selection, describe) {
  selection.on('mouseenter.tip mousemove.tip', (event, d) => show(event, describe(d, event)))
    .on('mouseleave.tip', hide);
}

// An axis answers a hover like every other mark: a tick says what it marks, the axis line and
// the title what the axis measures. ``about`` names the quantity, e.g. 'step t'.
export function axisTips(axis, about, more = []) {
  axis.selectAll('.tick').call(tooltip, (v, event) => [`${about} = ${event.currentTarget.textContent || v}`, ...more]);
  axis.select('.domain').call(tooltip, () => [about, ...more]);
}

// Whether a pointer event is over an axis: a plot's own handler then leaves the tooltip to it.
export const overAxis = (event) => Boolean(event.target.closest?.('.axis, .axis-title'));
