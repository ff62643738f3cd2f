// The training curve: J before each update against the training step, a tick where clipping
// acted, a line at the snapshot on screen. A log axis by default: a loss falling from 30 to 0.1
// is a flat line after its first drop on a linear one.
import { formatNumber, tickFormat } from '../blocks/format.js';
import { axisTips, hide as hideTip, overAxis, show as showTip } from '../blocks/tooltip.js';

const d3 = window.d3;
const WIDTH = 280;
const HEIGHT = 104;
const MARGIN = { top: 16, right: 8, bottom: 20, left: 44 }; // the title above the plot, clear of the curve

// points: [{step, loss, clipped}]; last: the newest step; shown: the step on screen, or null
export function drawLossCurve(curve, { points, last, shown, log }) {
  const svg = curve.attr('width', WIDTH).attr('height', HEIGHT);
  if (!points.length) { svg.selectAll('*').remove(); return; }
  const bottom = HEIGHT - MARGIN.bottom;
  const x = d3.scaleLinear([0, Math.max(1, last)], [MARGIN.left, WIDTH - MARGIN.right]);
  const extent = d3.extent(points, (p) => p.loss);
  const y = (log ? d3.scaleLog() : d3.scaleLinear())
    .domain(log ? [Math.max(1e-12, extent[0]), Math.max(extent[1], extent[0] * 10)] : [0, extent[1]])
    .range([bottom, MARGIN.top]).nice();
  svg.selectAll('g.axis-x').data([0]).join('g').attr('class', 'axis axis-x').attr('transform', `translate(0,${bottom})`)
    .call(d3.axisBottom(x).ticks(4, 'd').tickSizeOuter(0));
  svg.selectAll('g.axis-y').data([0]).join('g').attr('class', 'axis axis-y').attr('transform', `translate(${MARGIN.left},0)`)
    .call(d3.axisLeft(y).ticks(3).tickFormat(tickFormat({ log })));
  svg.selectAll('text.axis-title').data([0]).join('text').attr('class', 'axis-title').attr('x', MARGIN.left).attr('y', MARGIN.top - 5)
    .text(`J before each update${log ? ' (log)' : ''}`);
  svg.selectAll('path.loss-line').data([points]).join('path').attr('class', 'loss-line')
    .attr('d', d3.line().x((p) => x(p.step)).y((p) => y(Math.max(p.loss, 1e-12))));
  svg.selectAll('line.clip-mark').data(points.filter((p) => p.clipped)).join('line').attr('class', 'clip-mark')
    .attr('x1', (p) => x(p.step)).attr('x2', (p) => x(p.step))
    .attr('y1', bottom).attr('y2', bottom - 6);
  svg.selectAll('line.shown').data(shown === null ? [] : [shown]).join('line').attr('class', 'shown')
    .attr('x1', (step) => x(step)).attr('x2', (step) => x(step)).attr('y1', MARGIN.top).attr('y2', bottom);
  axisTips(svg.select('g.axis-x'), 'training step');
  axisTips(svg.select('g.axis-y'), `J${log ? ' (log scale)' : ''}`, ['the loss before that step\'s update']);
  svg.on('mousemove', (event) => {
    if (overAxis(event)) return;
    const [px] = d3.pointer(event);
    const step = Math.round(x.invert(px));
    const p = points[Math.max(0, Math.min(points.length - 1, step))];
    if (p) showTip(event, [`step ${p.step}: J = ${formatNumber(p.loss, 6)}`, p.clipped ? 'the gradients were clipped' : 'J before this step\'s update']);
  }).on('mouseleave', hideTip);
}
