// An element's width without forcing a layout: reading clientWidth after the page changed
// makes the browser lay it out at once (tens of ms for the network), so widths are read once
// and then kept up to date by a ResizeObserver, which reports after layout.
export function watchWidth(element, fallback = 480) {
  let width = element.clientWidth || fallback;
  new ResizeObserver(([entry]) => { width = entry.contentRect.width || width; }).observe(element);
  return () => width;
}
