// Error flows drawn on the unfolded network: each loss J^(s) sends its error down to h^(s) and
// back along the W edges, as a band whose width follows log F[s][t] (MATH.md, "Error flows").
// For the LSTM the same error also travels along the cell state, in a lane of its own under s,
// drawn dashed: the carousel, scaled at each step by the forget gate.
import { exact, formatNumber, sup } from '../blocks/format.js';
import { show as showTip, hide as hideTip } from '../blocks/tooltip.js';
import { layout, stepColour } from '../config.js';
import { neededSources } from '../state/model.js';
import { P, relabel } from '../state/notation.js';

const d3 = window.d3;
const { node } = layout;
const PATHS = { h: { lane: 'flow', symbol: 'h', along: 'the W edges' }, s: { lane: 'sflow', symbol: 's', along: 'the cell state' } };
export const pathsOf = (m) => (m.hasState ? ['h', 's'] : ['h']);

// A band's width follows how much of its loss's own error is left, on a log scale: full width
// (flowWidth[1]) at the loss's own step, PX_PER_DECADE less for every factor of ten lost (down to
// flowWidth[0], two decades down) and more for every factor gained, so a vanishing error visibly
// thins within a few steps and an exploding one swells; past two decades the traced band's labels
// say how far. width(F, own): own is the error at the loss's own step.
const PX_PER_DECADE = 4;
const MAX_WIDTH = 20;
function widthScale() {
  const [thin, full] = layout.flowWidth;
  return (value, own) => {
    if (!(value > 0)) return thin;
    const decades = own > 0 ? Math.log10(value / own) : 0;
    return Math.max(thin, Math.min(MAX_WIDTH, full + PX_PER_DECADE * decades));
  };
}

// Errors travel in a lane of their own under their row, one sub-lane per source.
const lane = (m, path, s) => m.rows[PATHS[path].lane] + ((s % layout.lanes) - (layout.lanes - 1) / 2) * layout.lane;

// The band of source s over steps [lo, hi] along one path: the part of [from, s] that lies over
// the drawn columns. Bands are cached per model: the player asks for the same ones on every frame.
const bands = new WeakMap();
function band(m, x, width, path, s, lo, hi) {
  if (!bands.has(m)) bands.set(m, new Map());
  const cache = bands.get(m);
  const key = `${path}:${s}:${lo}:${hi}`;
  if (!cache.has(key)) cache.set(key, computeBand(m, x, width, path, s, lo, hi));
  return cache.get(key);
}

function computeBand(m, x, width, path, s, lo, hi) {
  const F = m.response.flows[path][s];
  const steps = d3.range(hi, lo - 1, -1).filter((t) => F[t] > 0);
  const y = (t) => lane(m, path, s);
  const own = F[s];
  const area = d3.area().x((t) => x(t)).y0((t) => y(t) - width(F[t], own) / 2).y1((t) => y(t) + width(F[t], own) / 2)
    .curve(d3.curveLinear); // straight between steps: a long sequence has T^2 / 2 band points
  return steps.length > 1 ? area(steps) : null;
}

// The quiet summary of every loss's error (issue 25, item 8): one band a path, at the lane's
// centre, whose width follows the total error there, ‖δh⁽ᵗ⁾‖ (the sum over the losses, which the
// gradients use), on the same log scale relative to its largest step. The losses' own bands are
// drawn over it only when chosen: the traced one, or all of them while they are few (by source).
export const FEW_SOURCES = 8;
export const summarised = (m, colour) => colour === 'gradient' || m.sources.length > FEW_SOURCES;
const norms = new WeakMap();
function totalNorms(m, path) {
  if (!norms.has(m)) norms.set(m, {});
  const kept = norms.get(m);
  kept[path] ??= m.response.errors[path].map((row) => Math.hypot(...row));
  return kept[path];
}

function summaryBand(m, x, width, path, lo, hi) {
  const N = totalNorms(m, path);
  const top = d3.max(N.slice(lo, hi + 1)) ?? 0;
  const steps = d3.range(lo, hi + 1).filter((t) => N[t] > 0);
  const y = m.rows[PATHS[path].lane];
  const area = d3.area().x((t) => x(t)).y0((t) => y - width(N[t], top) / 2).y1((t) => y + width(N[t], top) / 2);
  return steps.length > 1 ? { p: path, d: area(steps) } : null;
}

// A left-pointing arrowhead at the earliest step the error of J^(s) reaches along a path.
function head(m, x, width, path, s, from) {
  const F = m.response.flows[path][s];
  let t = from;
  while (t < s && !(F[t] > 0)) t += 1;
  if (t === s) return null;
  const y = lane(m, path, s);
  const size = Math.max(3, width(F[t], F[s]) / 2 + 2);
  return { p: path, t, d: `M${x(t) - size * 1.6},${y}L${x(t)},${y - size}L${x(t)},${y + size}Z` };
}

// The loss's error drops from J^(s) into the h lane (and, for the LSTM, on into the s lane):
// a thin line, since its band says how large the error is (full-width drops, one a column,
// stood like bars over the W arrows and outweighed the bands themselves).
const DROP_WIDTH = 2.5;
function dropLine(m, x, s) {
  const dx = x(s) + node.width / 2 + 5;
  const bottom = m.hasState ? lane(m, 's', s) : lane(m, 'h', s);
  return { x1: dx, x2: dx, y1: m.rows.J + 13, y2: bottom, w: DROP_WIDTH };
}

// The step under the pointer on the band of source s.
function stepAt(event, s) {
  const [px] = d3.pointer(event, event.currentTarget.ownerSVGElement);
  return Math.max(0, Math.min(s, Math.round((px - layout.margin.left - layout.column / 2) / layout.column) - 1));
}

function describe(m, event, s, path) {
  const t = stepAt(event, s);
  const F = m.response.flows[path][s][t];
  const { symbol, along } = PATHS[path];
  const lines = [`error of J${sup(s)} reaching ${symbol}${sup(t)} along ${relabel(along)}`, `‖δ${symbol}${sup(`${t}←${s}`)}‖ = ${exact(F)}`];
  const share = m.response.flows.share?.[s]?.[t];
  if (share !== undefined) lines.push(`${(100 * share).toFixed(1)}% of step ${t}'s contribution to ∂J/∂${P('U')}, ∂J/∂${P('W')}, ∂J/∂${P('b')}`);
  return lines;
}

// onSelectStep(t): a click on a band selects the step under the pointer, as the column would.
// range [a, b]: the steps whose columns are drawn. Only what lies over them is drawn: the bands
// of a long sequence hold T^2 / 2 points, and a loss whose error never reaches them has none.
// Each loss has its group (the classes highlightFlows sets are for the network to set again: new
// groups come without); what is in it is drawn once it is not quiet (fillBands): summarised, most
// losses are never seen, and their bands were 22 of the 62 ms of script drawing a T = 256 simple
// RNN's network (48 of 100 for the LSTM's).
const filling = new WeakMap(); // layer -> {key, fill(g, s)}: what its groups are drawn for, and how
export function drawFlows(layer, m, x, { onSelectStep, range: [a, b] = [0, m.steps - 1] } = {}) {
  const width = widthScale();
  const reaches = (s) => s >= a && Math.max(0, s - m.window + 1) <= b;
  highlighted.delete(layer.node());
  const summary = layer.selectAll('g.flow-summary').data([0]).join('g').attr('class', 'flow-summary').lower();
  summary.selectAll('path.summary').data(pathsOf(m).map((p) => summaryBand(m, x, width, p, a, b)).filter(Boolean))
    .join('path').attr('class', (d) => `summary summary-${d.p}`).attr('data-path', (d) => d.p).attr('d', (d) => d.d)
    .on('mousemove', (event, d) => {
      const t = Math.max(0, Math.min(m.steps - 1, Math.round((d3.pointer(event, event.currentTarget.ownerSVGElement)[0]
        - layout.margin.left - layout.column / 2) / layout.column) - 1));
      showTip(event, [`all losses together at ${PATHS[d.p].symbol}${sup(t)}: ‖δ${PATHS[d.p].symbol}${sup(t)}‖ = ${exact(totalNorms(m, d.p)[t])}`,
        'the total error the gradients use; hover or click a loss J to draw its own band']);
    })
    .on('mouseleave', hideTip);
  layer.selectAll('g.flow').data(m.sources.filter(reaches), (s) => s).join('g')
    .attr('class', 'flow').attr('data-source', (s) => s);
  filling.set(layer.node(), { key: {}, m, fill: (g, s) => fillFlow(g, m, x, width, s, [a, b], onSelectStep) });
  return width;
}

// Loss s's band along each path over [a, b], an arrowhead where its error ends, pointing back
// in time, and the line its error drops along.
function fillFlow(g, m, x, width, s, [a, b], onSelectStep) {
  const from = Math.max(0, s - m.window + 1);
  const [lo, hi] = [Math.max(from, a), Math.min(s, b)];
  g.selectAll('path.band').data(pathsOf(m).map((p) => ({ p, d: band(m, x, width, p, s, lo, hi) })).filter((d) => d.d))
    .join('path').attr('class', (d) => `band band-${d.p}`).attr('data-path', (d) => d.p).attr('d', (d) => d.d)
    .on('mousemove', (event, d) => showTip(event, describe(m, event, s, d.p))).on('mouseleave', hideTip)
    .on('click', (event) => onSelectStep?.(stepAt(event, s)));
  g.selectAll('path.head').data(pathsOf(m).map((p) => head(m, x, width, p, s, from)).filter((d) => d && d.t >= a && d.t <= b))
    .join('path').attr('class', (d) => `head head-${d.p}`).attr('d', (d) => d.d);
  const drop = s <= b ? [dropLine(m, x, s)] : [];
  g.selectAll('line.drop').data(drop).join('line').attr('class', 'drop')
    .attr('x1', (d) => d.x1).attr('x2', (d) => d.x2).attr('y1', (d) => d.y1).attr('y2', (d) => d.y2)
    .attr('stroke-width', (d) => d.w);
}

// The groups that are not quiet, drawn for the bands' latest drawFlows if they are not yet (a
// quiet one keeps what it had: it is not seen), once the answer's flows are in (io/api.js: the
// network is drawn before they come).
export const hasFlows = (m) => m.response.flows !== undefined;
function fillBands(layer) {
  const { key, fill, m } = filling.get(layer.node()) ?? {};
  if (!fill || !hasFlows(m)) return;
  layer.selectAll('g.flow:not(.quiet)').each(function (s) {
    if (this.filledFor === key) return;
    this.filledFor = key;
    fill(d3.select(this), s);
  });
}

// A distance d hovered on the gain plot: a ring on every band where its loss's error has gone d
// steps back, so the plot's average can be traced to the bands it averages.
function markDistance(layer, m, x, width, distance) {
  const marks = distance === null || !hasFlows(m) ? [] : m.sources.flatMap((s) => pathsOf(m).flatMap((p) => {
    const t = s - distance;
    const F = m.response.flows[p][s];
    return t >= Math.max(0, s - m.window + 1) && F[t] > 0 ? [{ s, t, p, r: width(F[t], F[s]) / 2 + 3 }] : [];
  }));
  layer.selectAll('circle.distance-mark').data(marks, (d) => `${d.p}${d.s}`).join('circle')
    .attr('class', 'distance-mark').attr('data-source', (d) => d.s).attr('data-step', (d) => d.t)
    .attr('cx', (d) => x(d.t)).attr('cy', (d) => lane(m, d.p, d.s)).attr('r', (d) => d.r);
}

// The traced loss's band is labelled at every step it reaches with the fraction of its own
// error left there, F[s][t] / F[s][s]: the width says it on a log scale, the number exactly
// enough to compare presets (a vanishing error is 10⁻⁹ of itself where an edge-of-chaos one is 0.3).
const labelled = new WeakMap();
function markLeft(layer, m, x, width, source) {
  const was = labelled.get(layer.node());
  if (was?.m === m && was.source === source && was.flows === hasFlows(m)) return;
  labelled.set(layer.node(), { m, source, flows: hasFlows(m) });
  // a new answer is drawn before the selection is fitted to it: its source may not be one of m's
  const marks = !m.sources.includes(source) || !hasFlows(m) ? [] : pathsOf(m).flatMap((p) => {
    const F = m.response.flows[p][source];
    const from = Math.max(0, source - m.window + 1);
    return d3.range(from, source).filter((t) => F[t] > 0).map((t) => ({
      p, t, left: F[t] / F[source], y: lane(m, p, source) + width(F[t], F[source]) / 2 + 9,
    }));
  });
  const group = layer.selectAll('g.left-marks').data([0]).join('g').attr('class', 'left-marks').raise();
  // a label no longer needed is hidden, not removed: tracing another loss, or none, and back
  // again (as a hover does) reuses the same few elements
  group.selectAll('text').data(marks, (d) => `${d.p}${d.t}`)
    .join((enter) => enter.append('text'), (update) => update.attr('display', null), (exit) => exit.attr('display', 'none'))
    .attr('x', (d) => x(d.t) + 4).attr('y', (d) => d.y).attr('data-step', (d) => d.t).attr('data-path', (d) => d.p)
    .text((d) => formatNumber(d.left, 2))
    .on('mousemove', (event, d) => showTip(event, [
      `J${sup(source)}'s error at ${PATHS[d.p].symbol}${sup(d.t)}: ${exact(d.left)} of what it was at its own step`,
      `‖δ${PATHS[d.p].symbol}${sup(`${d.t}←${source}`)}‖ / ‖δ${PATHS[d.p].symbol}${sup(`${source}←${source}`)}‖`,
    ]))
    .on('mouseleave', hideTip);
}

// view: {colour, sel}. Gradient mode: the sources (dJ/dθ)^(t) needs stay, the others fade (the
// path itself is drawn on the strips by errorpath.js). Source mode: every source in its own colour.
// Skips the work when nothing it shows has changed (the player calls it on every frame).
const highlighted = new WeakMap();
function highlightFlows(layer, m, view) {
  const { colour, sel } = view;
  const key = `${colour}|${sel.param}|${sel.step}|${sel.source}|${hasFlows(m)}`;
  if (highlighted.get(layer.node())?.m === m && highlighted.get(layer.node()).key === key) return;
  highlighted.set(layer.node(), { m, key });
  const needed = colour === 'gradient' ? new Set(neededSources(m, sel.param, sel.step)) : null;
  const isolated = colour === 'source' ? sel.source : null;
  const quiet = summarised(m, colour);
  layer.classed('summarised', quiet);
  layer.selectAll('g.flow')
    .classed('quiet', (s) => quiet && s !== sel.source)
    .classed('needed', (s) => Boolean(needed && needed.has(s)))
    .classed('faded', (s) => (needed ? !needed.has(s) && s !== sel.source : isolated !== null && isolated !== s))
    .classed('hovered', (s) => s === sel.source)
    .style('color', (s) => (colour === 'source' ? stepColour(s, m.steps) : null));
  fillBands(layer);
}

// Everything on the bands that follows the view: which are highlighted, the distance hovered on
// the gain plot, the traced loss's labels. view: {colour, sel, distance}.
export function markFlows(layer, m, x, width, view) {
  highlightFlows(layer, m, view);
  markDistance(layer, m, x, width, view.distance ?? null);
  markLeft(layer, m, x, width, view.sel.source);
}
