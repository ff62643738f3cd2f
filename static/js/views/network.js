// The network unfolded in time: one column per step, h^(-1) at the left; rows x, (gates, s,)
// h, o/ŷ, J. The gated cells' own rows are drawn by gates.js.
import { exact, formatNumber, maxAbs, sup } from '../blocks/format.js';
import { watchWidth } from '../blocks/size.js';
import { strip } from '../blocks/strip.js';
import { tooltip } from '../blocks/tooltip.js';
import { layout, stepColour, valueScale } from '../config.js';
import { cellInfo, symbolOf } from '../meta.js';
import { describeCell, describeEdge, describeStep, summarise } from './describe.js';
import { drawErrorPath } from './errorpath.js';
import { drawFlows, highlightFlows, markDistance } from './flows.js';
import { cellEdges, drawGateRows, drawInitialState, gateBoxes, gateRowLabels, gateScales } from './gates.js';
import { P, svgLabel } from '../notation.js';

const d3 = window.d3;
const { node } = layout;

// The arrows every cell shares: h up to the output (V), the output to its loss; and across, h
// to the next step (W) and, for the LSTM, the cell state (f).
function outputEdges({ rows }) {
  const half = node.height / 2;
  return [{ name: 'V', y1: rows.h - half - 11, y2: rows.o + half + 11 }, { name: 'loss', y1: rows.o - half, y2: rows.J + 13 }];
}

function acrossEdges(m) {
  return [{ name: 'W', row: 'h' }, ...(m.hasState ? [{ name: 'f', row: 's' }] : [])];
}

// The loss in its pill: J⁽ᵗ⁾ and three digits, or the number alone when it needs ×10ⁿ.
function lossLabel(t, loss) {
  const value = formatNumber(loss, 3);
  return value.includes('×') ? formatNumber(loss, 2) : `J${sup(t)} ${value}`;
}

export function createNetwork(container, { onSelectStep, onHoverSource, onPickSource, onTraceSource }) {
  const root = d3.select(container);
  // The row labels stay at the left edge while the columns scroll under them.
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
  // above the columns' click targets, so that a band answers its own hover; bands lie in lanes
  // between the rows, so they hide no strip
  const flows = svg.append('g').attr('class', 'flows').attr('clip-path', 'url(#flow-clip)');
  const errorPath = svg.append('g').attr('class', 'error-path');
  const frame = svg.append('g').attr('class', 'contribution-frame');
  // the arrows' labels answer a hover too (what the shared weights are): above the click targets
  const edgeLabels = svg.append('g').attr('class', 'edge-labels');
  let model = null;
  let flowWidth = null;
  let current = null; // {m, scales, filled: steps whose nodes are drawn}
  const x = (t) => layout.margin.left + (t + 1) * layout.column + layout.column / 2;

  function nodeStrip(sel, t, quantity, values, scale, height = node.height) {
    sel.datum({ values, scale }).call(strip, {
      width: node.width,
      height,
      describe: (d) => describeCell(model, quantity, t, d.i, d.v),
    });
  }

  function drawColumn(g, m, t, scales) {
    const { rows } = m;
    g.selectAll('*').remove();
    g.append('rect').attr('class', 'column-bg').attr('x', -layout.column / 2).attr('y', 4)
      .attr('width', layout.column).attr('height', m.height - 8)
      .on('click', () => onSelectStep(t));
    if (t < 0) {
      const h0 = g.append('g').attr('class', 'node h0').attr('transform', `translate(0,${rows.h})`);
      nodeStrip(h0, t, 'h0', m.response.h0, scales.h);
      g.append('text').attr('class', 'node-label h0-label').attr('y', rows.h - node.height / 2 - 6).text('h⁽⁻¹⁾');
      drawInitialState(g, m, scales, (sel, quantity, values, scale) => nodeStrip(sel, t, quantity, values, scale));
    } else {
      g.append('text').attr('class', 'step-label').attr('y', m.height - 6).text(t);
      g.append('text').attr('class', 'input-label').attr('y', rows.x + node.height / 2 + 16).text(m.inputLabel(t));
    }
    g.selectAll('.column-bg, .step-label, .input-label, .node-label').call(tooltip, (_, event) => describeColumn(m, t, event, g.node()));
  }

  // Where no square answers, the column does: the arrow under the pointer, or else the step.
  function describeColumn(m, t, event, g) {
    const edge = edgeAt(m, ...d3.pointer(event, g));
    if (edge) return describeEdge(m, edge);
    return describeStep(m, t, viewShown?.sel.param ?? 'W');
  }

  // The arrow within a few pixels of a point in a column's own coordinates: the vertical ones
  // run up the column's middle, W (and the LSTM's f) cross from one column to the next.
  function edgeAt(m, px, py) {
    const near = 5;
    if (Math.abs(px) <= near) {
      const up = [...cellEdges(m), ...outputEdges(m)].find((e) => py >= Math.min(e.y1, e.y2) && py <= Math.max(e.y1, e.y2));
      if (up) return up.name;
    }
    if (Math.abs(px) < node.width / 2) return null;
    return acrossEdges(m).find(({ row }) => Math.abs(py - m.rows[row]) <= near)?.name ?? null;
  }

  // The nodes of step t: hundreds of elements, so drawn only once the column comes into view.
  function drawContents(g, m, t, scales) {
    const { rows } = m;
    const f = m.response.forward;
    const e = m.response.errors;
    const xNode = g.append('g').attr('class', 'node x').attr('transform', `translate(0,${rows.x})`);
    nodeStrip(xNode, t, 'x', f.x[t], scales.x);
    const hNode = g.append('g').attr('class', 'node h').attr('transform', `translate(0,${rows.h})`);
    nodeStrip(hNode, t, 'h', f.h[t], scales.h);
    const dh = g.append('g').attr('class', 'node dh error').attr('transform', `translate(0,${rows.h - node.height / 2 - 7})`);
    nodeStrip(dh, t, 'dh', e.h[t], scales.dh, 7);
    const oNode = g.append('g').attr('class', 'node o').attr('transform', `translate(0,${rows.o})`);
    nodeStrip(oNode, t, 'y_hat', f.y_hat[t], scales.y_hat);
    const dout = g.append('g').attr('class', 'node do error').attr('transform', `translate(0,${rows.o + node.height / 2 + 7})`);
    nodeStrip(dout, t, 'do', e.o[t], scales.do, 7);
    drawGateRows(g, m, t, scales, (sel, quantity, values, scale, height) => nodeStrip(sel, t, quantity, values, scale, height));
    drawLoss(g, m, t);
  }

  function drawLoss(g, m, t) {
    const { rows } = m;
    const f = m.response.forward;
    const loss = g.append('g').attr('class', `loss ${f.has_loss[t] ? 'has-loss' : 'no-loss'}`)
      .attr('data-source', t).attr('transform', `translate(0,${rows.J})`);
    loss.append('rect').attr('x', -node.width / 2).attr('y', -13).attr('width', node.width).attr('height', 26).attr('rx', 13);
    loss.append('text').attr('class', 'loss-value').attr('y', 4)
      .text(f.has_loss[t] ? lossLabel(t, f.loss[t]) : 'no loss');
    if (f.has_loss[t]) {
      loss.call(tooltip, () => [`J${sup(t)} = ${exact(f.loss[t])}`, 'hover to trace its error; click to select this step (by source: to keep tracing it)'])
        .on('mouseenter.source', () => onHoverSource(t)).on('mouseleave.source', () => onHoverSource(null))
        .on('click', () => onPickSource(t));
      if (m.isText) {
        const right = m.predictedLabel(t) === m.targetLabel(t);
        const p = f.y_hat[t];
        const [guess, target] = [d3.maxIndex(p), d3.maxIndex(f.y[t])];
        g.append('text').attr('class', `prediction ${right ? 'right' : 'wrong'}`).attr('y', 26)
          .text(`${m.predictedLabel(t)} ${right ? '✓' : '✗'} ${m.targetLabel(t)}`)
          .call(tooltip, () => [`predicted '${m.predictedLabel(t)}' ${right ? '✓' : '✗'}: ŷ${sup(t)} gives it ${exact(p[guess])}`,
            `the target '${m.targetLabel(t)}' gets ${exact(p[target])}`, 'the prediction is the likeliest character']);
      } else if (f.y_hat[t].length === 1) { // a number: the prediction and its target, as numbers
        const numbers = g.append('g').attr('class', 'prediction numeric');
        numbers.append('text').attr('class', 'predicted').attr('y', 18).text(`ŷ ${formatNumber(f.y_hat[t][0], 3)}`);
        numbers.append('text').attr('class', 'target').attr('y', 34).text(`y ${formatNumber(f.y[t][0], 3)}`);
        numbers.call(tooltip, () => [`ŷ${sup(t)} = ${exact(f.y_hat[t][0])}`, `target y${sup(t)} = ${exact(f.y[t][0])}`]);
      }
    }
  }

  // The arrows of the steps drawn so far (their columns have come into view).
  function drawEdges(m, drawnSteps) {
    const { rows } = m;
    const steps = [...drawnSteps].sort((a, b) => a - b);
    const vertical = [...cellEdges(m), ...outputEdges(m)];
    const horizontal = acrossEdges(m);
    const data = steps.flatMap((t) => [
      ...vertical.map((v) => ({ ...v, key: `${v.name}${t}`, t, x1: x(t), x2: x(t) })),
      ...horizontal.map(({ name, row }) => ({
        name, key: `${name}${t}`, t, x1: x(t - 1) + node.width / 2, x2: x(t) - node.width / 2, y1: rows[row], y2: rows[row],
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

  // The arrows of the steps the forward pass has not reached yet are faded (the player's forwardTo).
  function markPending() {
    if (viewShown) edges.selectAll('line.edge').classed('pending', (d) => d.t > viewShown.forwardTo);
  }

  function rowLabels(m) {
    const { rows } = m;
    const half = node.height / 2;
    const labels = [
      ...(m.isText ? [{ y: 22, text: 'ŷ ✓ y', title: 'the predicted character (the likeliest), right ✓ or wrong ✗, and the target' }] : []),
      ...(!m.isText && m.config.output_size === 1
        ? [{ y: 22, text: 'ŷ, y', title: 'the prediction ŷ⁽ᵗ⁾ and its target y⁽ᵗ⁾ (the next number of the sequence)' }] : []),
      { y: rows.J, text: 'J', title: 'J⁽ᵗ⁾: the loss at each step' },
      { y: rows.o, text: 'ŷ', title: `ŷ⁽ᵗ⁾: the output, ${symbolOf('heads', m.config.output)}(o)` },
      { y: rows.o + half + 7, text: 'δo', cls: 'error-label', title: 'δo⁽ᵗ⁾ = ŷ − y: the error at the output' },
      { y: rows.h - half - 7, text: 'δh', cls: 'error-label', title: 'δh⁽ᵗ⁾ = ∂J/∂h⁽ᵗ⁾: the error at the hidden state' },
      { y: rows.h, text: 'h', title: 'h⁽ᵗ⁾: the hidden state' },
      ...gateRowLabels(m),
      { y: rows.x, text: 'x', title: m.isText ? 'x⁽ᵗ⁾: the input character, one-hot' : 'x⁽ᵗ⁾: the input' },
      { y: m.height - 10, text: 't', title: 'the step' },
    ];
    dock.attr('width', layout.margin.left).attr('height', m.height)
      .selectAll('text').data(labels).join('text')
      .attr('class', (d) => `row-label ${d.cls ?? ''}`).attr('x', 6).attr('y', (d) => d.y + 4)
      .text((d) => d.text)
      .call(tooltip, (d) => [d.title]);
  }

  function draw(m) {
    model = m;
    rowLabels(m);
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
    // every step has its column group; what is in it is drawn once it comes into view (fill)
    columns.selectAll('g.column').data(d3.range(-1, m.steps), (t) => t).join('g')
      .attr('class', (t) => (t < 0 ? 'column initial' : 'column step'))
      .attr('data-step', (t) => (t < 0 ? null : t))
      .attr('transform', (t) => `translate(${x(t)},0)`)
      .each(function (t) { d3.select(this).selectAll('*').remove(); });
    drawColumn(columns.select('g.column.initial'), m, -1, scales);
    current = { m, scales, filled: new Set(), drawn: 0 }; // drawn: counts changes to filled
    drawEdges(m, current.filled);
    fillVisible();
    drawBands();
    clip.attr('x', 0).attr('y', 0).attr('width', width).attr('height', m.height);
    return scales;
  }

  // Draws the nodes of the columns in view that are not drawn yet, and a few either side once
  // the page is idle (a scroll then finds them drawn, and the first picture does not wait for them).
  let spareRequest = null;
  function fillVisible() {
    fill(0);
    spareRequest ??= requestIdleCallback(() => { spareRequest = null; fill(4); }); // never while the page is busy
  }

  function fill(spare) {
    if (!current) return;
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
      highlightFlows(flows, m, viewShown);
      markDistance(flows, m, x, flowWidth, viewShown.distance ?? null);
    }
  }

  // Scrolls the network so that step t's column is in view (from the start: as for a new answer).
  // align 'start': the column lands one column in from the left, the later steps after it;
  // 'end': near the right edge, the earlier steps before it (the player's backward pass, which
  // would otherwise scroll at every step).
  function reveal(t, { fromStart = false, align = 'start' } = {}) {
    if (!model || t === null || t === undefined) return;
    if (fromStart) scrollTo(0);
    const left = x(t) - layout.column / 2;
    const right = x(t) + layout.column / 2;
    const view = viewWidth();
    const labels = layout.margin.left; // the sticky row labels cover this much
    if (left >= scrolled + labels && right <= scrolled + view) return;
    scrollTo(Math.max(0, align === 'end' ? right + layout.column - view : left - labels - layout.column));
    fillVisible();
  }

  // the scroll position and the width, kept rather than read (a read after the drawing changed
  // forces a layout); the scroll event corrects a position the browser clamped
  const viewWidth = watchWidth(container, window.innerWidth);
  let scrolled = 0;
  let contentWidth = 0; // the drawing's width, set by draw
  let shownLeft = 0; // the scroll position on screen: the last written or scrolled to
  // the write waits for the next frame (a scrollLeft written now would lay the page out twice)
  let scrollFrame = null;
  // The position is clamped here as the browser would clamp it: reading scrollLeft back after
  // writing it would lay the whole new drawing out at once (~90 ms at T = 256), a second time.
  function scrollTo(left) {
    const clamped = Math.max(0, Math.min(left, contentWidth - viewWidth()));
    if (clamped === scrolled && scrollFrame === null) return;
    scrolled = clamped;
    if (scrollFrame === null) {
      scrollFrame = requestAnimationFrame(() => {
        scrollFrame = null;
        fillVisible(); // first: the write below lays out what it adds, once
        if (scrolled !== shownLeft) container.scrollLeft = scrolled; // a write lays the page out, even of the same value
        shownLeft = scrolled;
      });
    }
  }
  let scrollPending = false;
  container.addEventListener('scroll', () => {
    scrolled = container.scrollLeft;
    shownLeft = scrolled;
    if (scrollPending) return;
    scrollPending = true;
    requestAnimationFrame(() => { scrollPending = false; fillVisible(); });
  }, { passive: true });
  window.addEventListener('resize', fillVisible);

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

  function highlight(view) {
    if (!model) return;
    viewShown = view;
    const said = summarise(model, view);
    if (summary.text() !== said) summary.text(said);
    const { sel, forwardTo, backwardTo, phase } = view;
    const playing = { forward: forwardTo, backward: backwardTo }[phase] ?? null;
    columns.selectAll('g.column.step')
      .classed('pending', (t) => t > forwardTo)
      .classed('current', (t) => t === playing)
      .classed('selected', (t) => t === sel.step)
      .classed('errors-hidden', (t) => t < backwardTo);
    markPending();
    const reveal = Math.max(0, backwardTo);
    clip.attr('x', backwardTo > model.steps - 1 ? 1e6 : x(reveal) - layout.column / 2);
    highlightFlows(flows, model, view);
    markDistance(flows, model, x, flowWidth, view.distance ?? null);
    drawErrorPath(errorPath, model, { ...view, x }, flowWidth, current.filled, current.drawn);
    drawFrame(view);
  }

  let framed = null;
  function drawFrame({ colour, sel, showFrame }) {
    const t = sel.step;
    const key = `${colour}|${sel.param}|${t}|${showFrame}`;
    if (framed?.m === model && framed.key === key) return; // unchanged while the player runs
    framed = { m: model, key };
    const on = colour === 'gradient' && showFrame && t !== null && t < model.steps;
    const { rows } = model;
    const half = node.height / 2;
    const boxes = {
      U: [x(t) - 16, rows.h + half + 2, 32, rows.x - rows.h - 2 * half - 4],
      W: [x(t - 1) + node.width / 2 - 2, rows.h - 16, layout.column - node.width + 4, 32],
      b: [x(t) - node.width / 2 - 5, rows.h - half - 12, node.width + 10, node.height + 17],
      V: [x(t) - 16, rows.o + half + 13, 32, rows.h - rows.o - 2 * half - 26],
      c: [x(t) - node.width / 2 - 5, rows.o - half - 5, node.width + 10, node.height + 17],
      ...gateBoxes(model, x(t)),
    };
    const box = on ? boxes[sel.param] : null;
    frame.selectAll('rect').data(box ? [box] : []).join('rect')
      .attr('x', (d) => d[0]).attr('y', (d) => d[1]).attr('width', (d) => d[2]).attr('height', (d) => d[3])
      .attr('rx', 4).attr('stroke', stepColour(t, model.steps));
    const below = sel.param === 'W';
    frame.selectAll('text').data(box ? [box] : []).join('text')
      .attr('x', (d) => d[0] + d[2] / 2).attr('y', (d) => (below ? d[1] + d[3] + 13 : d[1] - 3)).attr('fill', stepColour(t, model.steps))
      .text(`(∂J/∂${P(sel.param)})${sup(t)}`)
      .call(tooltip, () => [`(∂J/∂${P(sel.param)})${sup(t)}: step ${t}'s contribution to ∂J/∂${P(sel.param)}`,
        `‖(∂J/∂${P(sel.param)})${sup(t)}‖ = ${exact(model.response.gradients.norms[sel.param][t])}`,
        'the frame marks where it is made; the lit errors are the ones it needs']);
  }

  return { draw, highlight, reveal, x, neuronLayer: () => neuronLayer };
}
