// Colour legends: a gradient bar for a continuous scale, swatches for categories.
import { formatNumber, tickFormat } from './format.js';
import { tooltip } from './tooltip.js';

const d3 = window.d3;
let uid = 0;

// A log bar: its powers of ten (at most four, evenly thinned), or its two ends if it spans
// less than two decades.
function logTicks(lo, hi) {
  const first = Math.ceil(Math.log10(lo));
  const last = Math.floor(Math.log10(hi));
  if (last - first < 1) return [lo, hi];
  const every = Math.ceil((last - first + 1) / 4);
  return d3.range(first, last + 1, every).map((e) => 10 ** e);
}

export function gradientLegend(container, { scale, title, ticks = 3, width = 160, log = false, format = null }) {
  const id = `legend-gradient-${uid += 1}`;
  const root = d3.select(container);
  root.selectAll('*').remove();
  root.append('div').attr('class', 'legend-title').text(title);
  const pad = 24; // room for an end label such as 1×10⁻⁵⁷ centred on the bar's end
  const svg = root.append('svg').attr('width', width + 2 * pad).attr('height', 34);
  const [lo, hi] = [scale.domain()[0], scale.domain()[scale.domain().length - 1]];
  const grad = svg.append('defs').append('linearGradient').attr('id', id);
  d3.range(0, 1.0001, 0.1).forEach((u) => {
    const v = log ? lo * (hi / lo) ** u : lo + u * (hi - lo);
    grad.append('stop').attr('offset', `${u * 100}%`).attr('stop-color', scale(v));
  });
  svg.append('rect').attr('x', pad).attr('width', width).attr('height', 10).attr('fill', `url(#${id})`);
  const axisScale = (log ? d3.scaleLog() : d3.scaleLinear()).domain([lo, hi]).range([pad, width + pad]);
  const labels = format ?? (log ? (v) => formatNumber(v, 1) : tickFormat());
  svg.append('g').attr('transform', 'translate(0,12)')
    .call(d3.axisBottom(axisScale).tickValues(log ? logTicks(lo, hi) : d3.ticks(lo, hi, ticks)).tickFormat(labels).tickSize(3));
  // the value under the pointer, read off the bar
  svg.call(tooltip, (_, event) => {
    const px = Math.max(pad, Math.min(width + pad, d3.pointer(event, svg.node())[0]));
    return [title, `this colour: ${formatNumber(axisScale.invert(px), 3)}`];
  });
}

export function swatchLegend(container, { title, items }) {
  const root = d3.select(container);
  root.selectAll('*').remove();
  if (title) root.append('div').attr('class', 'legend-title').text(title);
  const row = root.append('div').attr('class', 'swatches');
  const item = row.selectAll('span.swatch').data(items).join('span').attr('class', (d) => (d.cls ? `swatch ${d.cls}` : 'swatch'));
  item.append('i').style('background', (d) => d.colour).style('border-style', (d) => d.dashed ? 'dashed' : null);
  item.append('span').text((d) => d.label);
}
