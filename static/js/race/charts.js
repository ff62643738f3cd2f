// The race's line charts: one or more series against a shared x, on a linear or log y, with
// dashed guides (what guessing scores) and a vertical mark (the task's lag). Each series is a
// path whose points also sit in its data (data-points), so a test reads what is drawn.
import { formatNumber, tickFormat } from '../blocks/format.js';
import { hide as hideTip, show as showTip } from '../blocks/tooltip.js';

const d3 = window.d3;
const MARGIN = { top: 12, right: 16, bottom: 36, left: 58 };

// spec: {x: {max, label}, y: {log, label, domain?}, series: [{key, label, colour, dash, points: [[x, y]]}],
//        guides: [{y, label}], marks: [{x, label}], empty}
export function lineChart(svg, spec) {
  const node = svg.node();
  const width = Math.max(280, node.parentNode.clientWidth - 24);
  const height = 210;
  svg.attr('width', width).attr('height', height);
  const points = spec.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!spec.y.log || y > 0));
  const guides = (spec.guides ?? []).filter((g) => Number.isFinite(g.y));
  svg.selectAll('*').remove();
  if (!points.length) {
    svg.append('text').attr('class', 'muted').attr('x', MARGIN.left).attr('y', 40).text(spec.empty ?? 'Nothing yet.');
    return;
  }
  const x = d3.scaleLinear([0, Math.max(1, spec.x.max)], [MARGIN.left, width - MARGIN.right]);
  const values = [...points.map(([, y]) => y), ...guides.map((g) => g.y)];
  let domain = spec.y.domain ?? d3.extent(values);
  if (spec.y.log) {
    const lo = Math.max(d3.min(values.filter((v) => v > 0)), 1e-300);
    domain = [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(d3.max(values)) + 1e-9)];
    if (domain[0] === domain[1]) domain = [domain[0] / 10, domain[1] * 10];
  } else if (domain[0] === domain[1]) domain = [domain[0] - 1, domain[1] + 1];
  const y = (spec.y.log ? d3.scaleLog(domain, [height - MARGIN.bottom, MARGIN.top])
    : d3.scaleLinear(domain, [height - MARGIN.bottom, MARGIN.top]).nice());
  const decades = spec.y.log ? Math.log10(domain[1] / domain[0]) : 0;
  const yAxis = d3.axisLeft(y).tickFormat(tickFormat({ log: spec.y.log }));
  if (spec.y.log && decades > 8) yAxis.tickValues(d3.range(Math.log10(domain[0]), Math.log10(domain[1]) + 1,
    Math.ceil(decades / 6)).map((k) => 10 ** k));
  else yAxis.ticks(5);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - MARGIN.bottom})`)
    .call(d3.axisBottom(x).ticks(6).tickFormat(tickFormat()));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${MARGIN.left},0)`).call(yAxis);
  svg.append('text').attr('class', 'axis-label').attr('x', width - MARGIN.right).attr('y', height - 4)
    .attr('text-anchor', 'end').text(spec.x.label);
  svg.append('text').attr('class', 'axis-label').attr('transform', `translate(12,${MARGIN.top}) rotate(-90)`)
    .attr('text-anchor', 'end').text(spec.y.label);
  for (const mark of spec.marks ?? []) {
    if (!(mark.x >= 0 && mark.x <= spec.x.max)) continue;
    svg.append('line').attr('class', 'race-mark').attr('x1', x(mark.x)).attr('x2', x(mark.x))
      .attr('y1', MARGIN.top).attr('y2', height - MARGIN.bottom);
    svg.append('text').attr('class', 'race-mark-label').attr('x', x(mark.x) - 4).attr('y', MARGIN.top + 10)
      .attr('text-anchor', 'end').text(mark.label);
  }
  for (const guide of guides) {
    svg.append('line').attr('class', 'race-guide').attr('x1', MARGIN.left).attr('x2', width - MARGIN.right)
      .attr('y1', y(guide.y)).attr('y2', y(guide.y));
    svg.append('text').attr('class', 'race-guide-label').attr('x', width - MARGIN.right).attr('y', y(guide.y) - 4)
      .attr('text-anchor', 'end').text(guide.label);
  }
  const line = d3.line().defined(([, v]) => Number.isFinite(v) && (!spec.y.log || v > 0))
    .x(([u]) => x(u)).y(([, v]) => y(Math.min(Math.max(v, domain[0]), domain[1])));
  svg.append('g').selectAll('path.series').data(spec.series, (s) => s.key).join('path')
    .attr('class', 'series').attr('data-series', (s) => s.key)
    .attr('data-points', (s) => JSON.stringify(s.points))
    .attr('fill', 'none').attr('stroke', (s) => s.colour).attr('stroke-width', 2)
    .attr('stroke-dasharray', (s) => (s.dash ? '5 3' : null)).attr('d', (s) => line(s.points));
  const last = spec.series.filter((s) => s.points.length).map((s) => ({ s, p: s.points[s.points.length - 1] }))
    .filter(({ p }) => Number.isFinite(p[1]) && (!spec.y.log || p[1] > 0));
  svg.append('g').selectAll('circle').data(last).join('circle').attr('class', 'series-end')
    .attr('cx', ({ p }) => x(p[0])).attr('cy', ({ p }) => y(Math.min(Math.max(p[1], domain[0]), domain[1])))
    .attr('r', 3.5).attr('fill', ({ s }) => s.colour)
    .on('mousemove', (event, { s, p }) => showTip(event, [`${s.label}: ${formatNumber(p[1], 4)}`, `${spec.x.label} ${p[0]}`]))
    .on('mouseleave', hideTip);
}
