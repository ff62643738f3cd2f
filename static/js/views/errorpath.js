// Colour by gradient, drawn as the articles draw it: the errors a contribution (∂J/∂θ)^(t)
// needs are marked on the network itself, in step t's colour. Each needed loss's error δo^(s)
// is outlined and drops to δh^(s); from there it travels back in time along the W edges
// (arrows pointing left, their width following the strongest error they carry) through every
// δh it passes, down to δh^(t) (the LSTM's error travels along the cell state too, through
// δs). V and c need only δo^(t).
import { layout, stepColour } from '../config.js';
import { neededSources } from '../state/model.js';
import { hasFlows } from './flows.js';

const { node } = layout;
const half = node.height / 2;
const STRIP = 7; // the height of an error strip (network.js)

// shown: the steps whose columns are drawn; only their strips and arrows are worked out.
function pathOf(m, view, width, shown) {
  const { sel } = view;
  const t = sel.step;
  const needed = neededSources(m, sel.param, t);
  if (!needed.length) return { strips: [], arrows: [] };
  const own = sel.param === 'V' || sel.param === 'c';
  const last = Math.max(...needed);
  const strips = needed.filter((s) => shown.has(s)).map((s) => ({ key: `do${s}`, step: s, quantity: 'δo', y: m.rows.o + half + STRIP }));
  const arrows = [];
  if (own || !hasFlows(m)) return { strips, arrows }; // the arrows' widths follow the flows, once they are in
  const rows = [{ quantity: 'δh', y: m.rows.h - half - STRIP, flows: m.response.flows.h }];
  if (m.hasState) rows.push({ quantity: 'δs', y: m.rows.s - half - STRIP, flows: m.response.flows.s });
  for (const row of rows) {
    for (let j = t; j <= last; j += 1) {
      if (shown.has(j)) strips.push({ key: `${row.quantity}${j}`, step: j, quantity: row.quantity, y: row.y });
    }
    for (let j = last; j > t; j -= 1) {
      if (!shown.has(j) && !shown.has(j - 1)) continue; // an arrow is drawn when either end is
      // the width of the error that has kept most of its loss's own size
      let kept = 0;
      for (const s of needed) {
        if (s >= j && row.flows[s][s] > 0) kept = Math.max(kept, row.flows[s][j - 1] / row.flows[s][s]);
      }
      if (!(kept > 0)) continue;
      arrows.push({
        key: `${row.quantity}${j}`, step: j, kind: 'back', x1: x0(j) - node.width / 2 - 1, x2: x0(j - 1) + node.width / 2 + 4,
        y1: row.y, y2: row.y, w: width(kept, 1),
      });
    }
  }
  // each loss's error drops from δo^(s) to δh^(s), beside the V edge
  for (const s of needed.filter((step) => shown.has(step) || shown.has(step - 1))) {
    arrows.push({
      key: `drop${s}`, step: s, kind: 'drop', x1: x0(s) - 10, x2: x0(s) - 10, y1: m.rows.o + half + STRIP + 4, y2: m.rows.h - half - STRIP - 7,
      w: width(1, 1),
    });
  }
  return { strips, arrows };

  function x0(step) { return view.x(step); }
}

// layer: a <g> above the columns; view: {colour, sel, showFrame, x}; width: log F -> px;
// shown: the steps whose columns are drawn (a long path is drawn where it can be seen), and
// version: a count that changes whenever they do.
const drawn = new WeakMap();
export function drawErrorPath(layer, m, view, width, shown, version) {
  const { colour, sel, showFrame } = view;
  const on = colour === 'gradient' && showFrame && sel.step !== null && sel.step < m.steps;
  const key = `${on}|${sel.param}|${sel.step}|${version}|${hasFlows(m)}`;
  if (drawn.get(layer.node())?.m === m && drawn.get(layer.node()).key === key) return;
  drawn.set(layer.node(), { m, key });
  const { strips, arrows } = on ? pathOf(m, view, width, shown) : { strips: [], arrows: [] };
  const colourOfStep = stepColour(sel.step ?? 0, m.steps);
  layer.selectAll('marker#error-arrow').data([0]).join('marker').attr('id', 'error-arrow')
    .attr('viewBox', '0 0 8 8').attr('refX', 6).attr('refY', 4).attr('markerWidth', 5).attr('markerHeight', 5)
    .attr('markerUnits', 'userSpaceOnUse').attr('orient', 'auto')
    .selectAll('path').data([0]).join('path').attr('d', 'M0,0L8,4L0,8z');
  layer.select('marker#error-arrow path').attr('fill', colourOfStep);
  layer.selectAll('rect.needed-error').data(strips, (d) => d.key).join('rect')
    .attr('class', 'needed-error').attr('data-step', (d) => d.step).attr('data-quantity', (d) => d.quantity)
    .attr('x', (d) => view.x(d.step) - node.width / 2 - 2).attr('y', (d) => d.y - STRIP / 2 - 2)
    .attr('width', node.width + 4).attr('height', STRIP + 4).attr('stroke', colourOfStep);
  layer.selectAll('line.error-arrow').data(arrows, (d) => d.key).join('line')
    .attr('class', (d) => `error-arrow ${d.kind}`)
    .attr('x1', (d) => d.x1).attr('x2', (d) => d.x2).attr('y1', (d) => d.y1).attr('y2', (d) => d.y2)
    .attr('stroke-width', (d) => Math.max(1.5, d.w)).attr('stroke', colourOfStep)
    .attr('marker-end', 'url(#error-arrow)');
}
