// The network unfolded in time: one column per step, h^(-1) at the left; rows x, (gates, s,)
// h, o/ŷ, J. What is in a column is drawn by columns.js, the gated cells' own rows by gates.js;
// here: placing the columns and drawing them as they come into view, the arrows, the error
// bands (flows.js), path (errorpath.js) and the contribution's frame (frame.js), scrolling, keys.
import { maxAbs } from '../blocks/format.js';
import { createOnscreen } from '../blocks/onscreen.js';
import { watchWidth } from '../blocks/size.js';
import { tooltip } from '../blocks/tooltip.js';
import { layout, valueScale } from '../config.js';
import { cellInfo } from '../state/meta.js';
import { describeEdge, summarise } from './describe.js';
import { acrossEdges, createColumns, drawRowLabels, outputEdges } from './columns.js';
import { drawErrorPath } from './errorpath.js';
import { drawFrame } from './frame.js';
import { drawFlows, markFlows } from './flows.js';
import { cellEdges, gateScales } from './gates.js';
import { svgLabel } from '../state/notation.js';

const d3 = window.d3;
const { node } = layout;

export function createNetwork(container, { onSelectStep, onHoverSource, onPickSource, onTraceSource }) {
  const root = d3.select(container);
  const dock = root.append('div').attr('class', 'row-dock').append('svg').attr('class', 'row-labels');
  const summary = root.append('p').attr('class', 'visually-hidden').attr('id', 'network-summary').attr('aria-live', 'polite');
  // focusable: ← → move the selected step (by source: the traced loss), Home and End jump
  const svg = root.append('svg').attr('class', 'network').attr('role', 'img').attr('tabindex', 0)
    .attr('data-keys', '').attr('aria-describedby', 'network-summary');
  const defs = svg.append('defs');
  const clip = defs.append('clipPath').attr('id', 'flow-clip').append('rect');
  const edges = svg.append('g').attr('class', 'edges');
  const neuronLayer = svg.append('g').attr('class', 'neurons');
  const columns = svg.append('g').attr('class', 'columns');
  // above the columns' click targets (a band answers its own hover), in lanes that hide no strip
  const flows = svg.append('g').attr('class', 'flows').attr('clip-path', 'url(#flow-clip)');
  const errorPath = svg.append('g').attr('class', 'error-path');
  const frame = svg.append('g').attr('class', 'contribution-frame');
  // the arrows' labels answer a hover too (what the shared weights are): above the click targets
  const edgeLabels = svg.append('g').attr('class', 'edge-labels');
  let model = null;
  let flowWidth = null;
  let current = null; // {m, scales, filled: steps whose nodes are drawn}
  const x = (t) => layout.margin.left + (t + 1) * layout.column + layout.column / 2;
  // a loss our own scroll brings under a still pointer (tracing scrolls it right) is not hovered
  let [pointer, stillAt] = [null, null]; // where the pointer was last seen (pointerover comes before mouseenter); where, at our last scroll
  for (const type of ['pointerover', 'pointermove']) container.addEventListener(type, (e) => { pointer = `${e.clientX},${e.clientY}`; }, { capture: true, passive: true });
  const hoverSource = (s) => { if (s === null || pointer !== stillAt) onHoverSource(s); };
  const { drawColumn, drawContents } = createColumns({
    onSelectStep, onHoverSource: hoverSource, onPickSource, param: () => viewShown?.sel.param ?? 'W',
  });

  // The arrows of the steps drawn so far (their columns have come into view).
  function drawEdges(m, drawnSteps) {
    const { rows } = m;
    const steps = [...drawnSteps].sort((a, b) => a - b);
    const vertical = [...cellEdges(m), ...outputEdges(m)];
    const horizontal = acrossEdges(m);
    const data = steps.flatMap((t) => [
      ...vertical.map((v) => ({ ...v, key: `${v.name}${t}`, t, x1: x(t), x2: x(t) })),
      ...horizontal.map(({ name, row, label }) => ({
        name, label, key: `${name}${t}`, t, x1: x(t - 1) + node.width / 2, x2: x(t) - node.width / 2, y1: rows[row], y2: rows[row],
      })),
    ]);
    edges.selectAll('line.edge').data(data, (d) => d.key).join('line')
      .attr('class', (d) => `edge edge-${d.name}`).attr('data-step', (d) => d.t)
      .attr('x1', (d) => d.x1).attr('x2', (d) => d.x2).attr('y1', (d) => d.y1).attr('y2', (d) => d.y2)
      .attr('marker-end', (d) => (d.name === 'loss' ? null : 'url(#arrow)'));
    const across = (d) => d.y1 === d.y2;
    edgeLabels.selectAll('text.edge-label').data(data.filter((d) => d.label !== null && d.name !== 'loss'), (d) => d.key)
      .join('text')
      .attr('class', (d) => `edge-label edge-label-${d.name}`)
      .attr('x', (d) => (across(d) ? (d.x1 + d.x2) / 2 : d.x1 + 7))
      // U's label sits just above the input, clear of the error lane
      .attr('y', (d) => (across(d) ? d.y1 - 5 : d.name === 'U' ? d.y1 - 6 : (d.y1 + d.y2) / 2 + 4))
      .each(function (d) {
        if (d.label === undefined && d.name !== 'f') svgLabel(d3.select(this), d.name);
        else d3.select(this).text(d.label ?? 'f ⊙');
      })
      .call(tooltip, (d) => describeEdge(m, d.name));
    markPending();
  }

  // the arrows of steps the forward pass has not reached (the player's forwardTo) are faded
  const markPending = () => viewShown && edges.selectAll('line.edge').classed('pending', (d) => d.t > viewShown.forwardTo);

  // What decides which elements a column has and where: two answers of one shape differ in numbers only.
  const shapeOf = (m) => m && [m.steps, m.cell, m.isText, m.config.output_size, m.height, JSON.stringify(m.rows),
    m.response.forward.has_loss.join('')].join('|');

  function draw(m) {
    model = m;
    drawRowLabels(dock, m);
    const width = x(m.steps - 1) + layout.column / 2 + layout.margin.right;
    contentWidth = width;
    svg.attr('width', width).attr('height', m.height)
      .attr('aria-label', `${cellInfo(m.cell).title} unfolded over ${m.steps} steps`);
    defs.selectAll('marker#arrow').data([0]).join('marker').attr('id', 'arrow').attr('viewBox', '0 0 8 8')
      .attr('refX', 7).attr('refY', 4).attr('markerWidth', 6).attr('markerHeight', 6).attr('orient', 'auto')
      .selectAll('path').data([0]).join('path').attr('d', 'M0,0L8,4L0,8z');
    const f = m.response.forward;
    const e = m.response.errors;
    const scales = {
      x: valueScale(maxAbs(f.x)), h: valueScale(Math.max(maxAbs(f.h), maxAbs([m.response.h0]))),
      y_hat: valueScale(maxAbs(f.y_hat)), dh: valueScale(maxAbs(e.h)), do: valueScale(maxAbs(e.o)),
      ...gateScales(m),
    };
    // every step has its column group; what is in it is drawn once it comes into view (fill).
    // An answer of the same shape as the last (a slider dragged, a new seed) updates the drawn
    // columns' elements in place; one of another shape starts them afresh.
    const same = shapeOf(m) === shapeOf(current?.m);
    const before = same ? current.filled : new Set();
    if (!same) classedBy.clear(); // the columns' classes are set again (highlight)
    edgesPendingFrom = null;
    const all = columns.selectAll('g.column').data(d3.range(-1, m.steps), (t) => t)
      .join((enter) => enter.append('g')
        .attr('class', (t) => (t < 0 ? 'column initial' : 'column step'))
        .attr('data-step', (t) => (t < 0 ? null : t))
        .attr('transform', (t) => `translate(${x(t)},0)`));
    if (!same) all.each(function () { d3.select(this).selectAll('*').remove(); });
    drawColumn(columns.select('g.column.initial'), m, -1, scales);
    current = { m, scales, filled: new Set(), drawn: 0 }; // drawn: counts changes to filled
    drawEdges(m, current.filled);
    fillVisible();
    // the last answer's columns this one has not drawn (out of view) would show its numbers
    columns.selectAll('g.column.step').filter((t) => before.has(t) && !current.filled.has(t))
      .each(function () { d3.select(this).selectAll('*').remove(); });
    drawBands();
    clip.attr('x', 0).attr('y', 0).attr('width', width).attr('height', m.height);
    return scales;
  }

  // Draws the nodes of the columns in view that are not drawn yet, and a few either side once
  // the page is idle (a scroll then finds them drawn, and the first picture does not wait for them).
  // Out of view (the page scrolled down to the explorer's slider), a new answer's columns wait
  // until the network comes into view; a step the user goes to is drawn at once (evenOutOfView).
  let spareRequest = null;
  function fillVisible({ evenOutOfView = false } = {}) {
    fill(0, { evenOutOfView });
    spareRequest ??= requestIdleCallback(() => { spareRequest = null; fill(4); }); // never while the page is busy
  }

  function fill(spare, { evenOutOfView = false } = {}) {
    if (!current) return;
    if (!evenOutOfView && !onscreen.isOnscreen(container)) return; // drawn when it comes into view
    const { m, scales, filled } = current;
    const left = scrolled;
    const right = left + viewWidth();
    const first = Math.max(0, Math.floor((left - layout.margin.left) / layout.column) - 1 - spare);
    const last = Math.min(m.steps - 1, Math.ceil((right - layout.margin.left) / layout.column) - 1 + spare);
    const fresh = columns.selectAll('g.column.step').filter((t) => t >= first && t <= last && !filled.has(t))
      .each(function (t) {
        filled.add(t);
        drawColumn(d3.select(this), m, t, scales);
        drawContents(d3.select(this), m, t, scales);
      });
    // columns far out of view are emptied again, so a long scroll or the player does not leave
    // every column drawn (the browser restyles and repaints all of them at each change)
    const keep = Math.ceil((last - first + 1) / 2);
    const far = columns.selectAll('g.column.step').filter((t) => filled.has(t) && (t < first - keep || t > last + keep))
      .each(function (t) {
        filled.delete(t);
        d3.select(this).selectAll('*').remove();
      });
    if (fresh.empty() && far.empty()) return;
    current.drawn += 1;
    drawEdges(m, filled);
    drawBands();
    if (viewShown) drawErrorPath(errorPath, m, { ...viewShown, x }, flowWidth, filled, current.drawn);
  }

  // The error bands over the drawn columns, widened to whole blocks of BAND_BLOCK steps: a
  // scroll or the player then redraws them every BAND_BLOCK columns, not at every column.
  const BAND_BLOCK = 16;
  let banded = null; // what the bands were drawn for: {current, key}
  function drawBands() {
    const { m, filled } = current;
    const block = (t, round) => round(t / BAND_BLOCK) * BAND_BLOCK;
    const range = filled.size ? [block(d3.min(filled) - 1, Math.floor), block(d3.max(filled) + 1, Math.ceil)] : [0, -1];
    if (banded?.current === current && banded.key === `${range}`) return;
    banded = { current, key: `${range}` };
    flowWidth = drawFlows(flows, m, x, { onSelectStep, range });
    if (viewShown) {
      markFlows(flows, m, x, flowWidth, viewShown);
    }
  }

  // Scrolls step t's column into view (fromStart: as for a new answer). align 'start': one column
  // in from the left; 'end': near the right edge, the earlier steps before it (the player's
  // backward pass); 'trace': also when in view with its past hidden.
  function reveal(t, { fromStart = false, align = 'start' } = {}) {
    if (!model || t === null || t === undefined) return;
    const eager = !fromStart; // a new answer opens lazily, a step the user goes to at once
    if (fromStart) scrollTo(0);
    const left = x(t) - layout.column / 2;
    const right = x(t) + layout.column / 2;
    const view = viewWidth();
    const labels = layout.margin.left; // the sticky row labels cover this much
    // a traced loss wants its past in view too, not only itself
    const pastHidden = align === 'trace' && scrolled > 0 && right + layout.column < scrolled + view;
    if (left >= scrolled + labels && right <= scrolled + view && !pastHidden) { // in view: drawn, if it is not yet
      if (eager && current && !current.filled.has(t)) fillVisible({ evenOutOfView: true });
      return;
    }
    scrollTo(Math.max(0, align === 'start' ? left - labels - layout.column : right + layout.column - view), eager);
    fillVisible({ evenOutOfView: eager });
  }

  // the scroll position and the width, kept rather than read (a read after the drawing changed
  // forces a layout); the scroll event corrects a position the browser clamped
  const viewWidth = watchWidth(container, window.innerWidth);
  let [scrolled, contentWidth] = [0, 0]; // contentWidth: the drawing's width, set by draw
  let shownLeft = 0; // the scroll position on screen: the last written or scrolled to
  // the write waits for the next frame (written now, it would lay the page out twice)
  let scrollFrame = null;
  let scrollEager = false;
  // Clamped as the browser would: reading scrollLeft back after writing it would lay the new
  // drawing out a second time (~90 ms at T = 256).
  function scrollTo(left, eager = false) {
    const clamped = Math.max(0, Math.min(left, contentWidth - viewWidth()));
    if (clamped === scrolled && scrollFrame === null) return;
    scrolled = clamped;
    scrollEager ||= eager;
    if (scrollFrame === null) {
      scrollFrame = requestAnimationFrame(() => {
        scrollFrame = null;
        fillVisible({ evenOutOfView: scrollEager }); // first: the write below lays out what it adds, once
        scrollEager = false;
        // a write lays the page out, even of the same value
        if (scrolled !== shownLeft) { container.scrollLeft = scrolled; stillAt = pointer ?? 'nowhere'; }
        shownLeft = scrolled;
      });
    }
  }
  let scrollPending = false;
  container.addEventListener('scroll', () => {
    // the echo of our last write while a newer one is on its way: the newer decides (the event
    // comes a frame late, after a newer reveal, and had undone it); another scroll is the reader's
    if (scrollFrame !== null && Math.abs(container.scrollLeft - shownLeft) <= 1) return;
    scrolled = container.scrollLeft;
    shownLeft = scrolled;
    if (scrollPending) return;
    scrollPending = true;
    requestAnimationFrame(() => { scrollPending = false; fillVisible({ evenOutOfView: true }); });
  }, { passive: true });
  window.addEventListener('resize', () => fillVisible());
  const onscreen = createOnscreen(() => fillVisible());
  onscreen.watch(container);

  // view: {colour, sel, forwardTo, backwardTo}; see main.js for the playhead.
  let viewShown = null;
  svg.on('keydown', (event) => {
    if (!model || !viewShown) return;
    const move = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity }[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const { sel, colour } = viewShown;
    if (colour === 'source' && model.sources.length) {
      const list = model.sources;
      const at = sel.pinned === null ? (move > 0 ? -1 : list.length) : list.indexOf(sel.pinned);
      const next = list[Math.max(0, Math.min(list.length - 1, Number.isFinite(move) ? at + move : move > 0 ? list.length - 1 : 0))];
      onTraceSource(next);
    } else {
      const t = sel.step ?? 0;
      onSelectStep(Math.max(0, Math.min(model.steps - 1, Number.isFinite(move) ? t + move : move > 0 ? model.steps - 1 : 0)));
    }
  });

  const classedBy = new Map(); // a column class -> the value it was last set for (emptied by draw)
  let edgesPendingFrom = null; // the forward pass's step the arrows were last faded for
  function highlight(view) {
    if (!model) return;
    viewShown = view;
    const said = summarise(model, view);
    if (summary.text() !== said) summary.text(said);
    const { sel, forwardTo, backwardTo, phase } = view;
    const playing = { forward: forwardTo, backward: backwardTo }[phase] ?? null;
    // each class is set again only when what decides it has changed (the player moves one
    // of them a frame, a selection another)
    const steps = columns.selectAll('g.column.step');
    const classes = {
      pending: [forwardTo, (t) => t > forwardTo], current: [playing, (t) => t === playing],
      selected: [sel.step, (t) => t === sel.step], 'errors-hidden': [backwardTo, (t) => t < backwardTo],
    };
    for (const [name, [by, on]] of Object.entries(classes)) {
      if (classedBy.get(name) === by) continue;
      classedBy.set(name, by);
      steps.classed(name, on);
    }
    if (edgesPendingFrom !== forwardTo) { edgesPendingFrom = forwardTo; markPending(); } // new arrows: drawEdges marks them
    const reveal = Math.max(0, backwardTo);
    clip.attr('x', backwardTo > model.steps - 1 ? 1e6 : x(reveal) - layout.column / 2);
    markFlows(flows, model, x, flowWidth, view);
    drawErrorPath(errorPath, model, { ...view, x }, flowWidth, current.filled, current.drawn);
    drawFrame(frame, model, x, view);
  }

  // flush: the columns in view drawn even if the network is scrolled out of view (an export)
  return { draw, highlight, reveal, x, neuronLayer: () => neuronLayer, flush: () => fill(0, { evenOutOfView: true }) };
}
