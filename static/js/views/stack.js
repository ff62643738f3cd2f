// A stack (issue 28; docs/MATH.md, section 19) unfolded through depth and time: one column a
// step, one row a layer's direction (the reverse direction's arrows point back in time, as it
// reads the sequence from the end), the input at the bottom and the losses on top. Each state is
// coloured by the size of its error; a loss clicked (or chosen with Enter) is traced: every state
// then shows how much of that loss's error reaches it, and the flow matrix of each layer marks
// its row. Every sentence is computed from the answer on screen.
import { drawHeatmap } from '../blocks/heatmap.js';
import { exact, formatNumber, sup, tickFormat, visibleChar } from '../blocks/format.js';
import { tooltip } from '../blocks/tooltip.js';
import { magnitudeScale } from '../config.js';
import { drawStackFolded } from './stack-folded.js';
import { explainStep } from './stack-step.js';
import { caption, gainCaption, norms } from './stack-words.js';

export { stackHeadline } from './stack-words.js';

const d3 = window.d3;
const ROW = 52; // px between two rows
const LEFT = 118; // room for the rows' names
const RADIUS = 9; // a state's radius, in a column wide enough
const MIN_COL = 16; // the narrowest column, px
const ARROW = { forward: '→', reverse: '←' };

// The rows top to bottom: the losses, each layer's directions from the top layer down, the input.
function rowsOf(answer) {
  const layers = answer.depth.layers;
  const rows = [{ kind: 'loss', name: 'J' }];
  for (const layer of [...layers].reverse()) {
    for (const [d, direction] of [...layer.directions.entries()].reverse()) {
      rows.push({ kind: 'state', layer: layer.layer, d, direction: direction.direction, data: direction,
        name: `layer ${layer.layer} ${ARROW[direction.direction]}` });
    }
  }
  rows.push({ kind: 'input', name: answer.config.embedding ? 'x = E[token]' : 'x' });
  return rows.map((row, i) => ({ ...row, y: 28 + i * ROW }));
}


// The error of each state: summed over the losses, or the traced loss's alone (F of its direction).
function errorOf(row, source) {
  return source === null ? norms(row.data.errors.h) : row.data.flows.h[source];
}

// A log colour scale as a bar, its ends labelled.
function colourBar(host, scale, title) {
  const [lo, hi] = scale.domain();
  const svg = host.selectAll('svg.colour-bar').data([0]).join('svg').attr('class', 'colour-bar').attr('width', 260)
    .attr('height', 34).attr('role', 'img').attr('aria-label', `colour scale from ${formatNumber(lo, 2)} to ${formatNumber(hi, 2)}`);
  const stops = d3.range(11).map((i) => ({ offset: i / 10, colour: scale(Math.exp(Math.log(lo) + (i / 10) * Math.log(hi / lo))) }));
  svg.selectAll('defs').data([0]).join('defs').selectAll('linearGradient').data([0]).join('linearGradient')
    .attr('id', 'stack-colours').selectAll('stop').data(stops).join('stop')
    .attr('offset', (d) => d.offset).attr('stop-color', (d) => d.colour);
  svg.selectAll('rect').data([0]).join('rect').attr('x', 0).attr('y', 14).attr('width', 200).attr('height', 10)
    .attr('fill', 'url(#stack-colours)');
  svg.selectAll('text.end').data([[0, lo, 'start'], [200, hi, 'end']]).join('text').attr('class', 'end')
    .attr('x', (d) => d[0]).attr('y', 34).attr('text-anchor', (d) => d[2]).text((d) => formatNumber(d[1], 2));
  svg.selectAll('text.title').data([title]).join('text').attr('class', 'title').attr('x', 0).attr('y', 10).text((d) => d);
}

export function createStack(container, { onTrace = () => {} } = {}) {
  const root = d3.select(container);
  let answer = null;
  let source = null;
  let picked = null; // {layer, d, t}: a state whose error and contribution are explained

  function pick(node) {
    const same = picked && picked.layer === node.r.layer && picked.d === node.r.d && picked.t === node.t;
    picked = same ? null : { layer: node.r.layer, d: node.r.d, t: node.t };
    draw(answer);
  }

  function trace(s) {
    source = s === source ? null : s;
    draw(answer);
    onTrace(source);
  }

  function drawGrid(host, rows, scale, needed) {
    const steps = answer.config.steps;
    const width = host.node().clientWidth || 900;
    // columns narrow to fit the panel down to MIN_COL px (then the grid scrolls sideways, and says so)
    const col = Math.max(MIN_COL, Math.min(60, Math.floor((width - LEFT - 10) / steps)));
    const R = Math.min(RADIUS, Math.floor(col / 2) - 2);
    const box = Math.min(20, col - 4);
    const fits = LEFT + steps * col + 10 <= width;
    host.selectAll('p.stack-scroll').data(fits ? [] : [0]).join('p').attr('class', 'stack-scroll')
      .text(`Steps 0–${steps - 1} do not fit this width: scroll the picture sideways for the later ones.`);
    const x = (t) => LEFT + col / 2 + t * col;
    const height = rows[rows.length - 1].y + 40;
    const svg = host.selectAll('svg.stack').data([0]).join('svg').attr('class', 'stack')
      .attr('width', LEFT + steps * col + 10).attr('height', height)
      .attr('role', 'img').attr('aria-label', `${answer.depth.layers.length} layers unfolded over ${steps} steps`);
    const defs = svg.selectAll('defs').data([0]).join('defs');
    defs.selectAll('marker').data(['stack-arrow']).join('marker').attr('id', (d) => d).attr('viewBox', '0 0 10 10')
      .attr('refX', 9).attr('refY', 5).attr('markerWidth', 6).attr('markerHeight', 6).attr('orient', 'auto-start-reverse')
      .selectAll('path').data([0]).join('path').attr('d', 'M0,0L10,5L0,10z').attr('class', 'stack-arrowhead');
    svg.selectAll('text.row-name').data(rows).join('text').attr('class', 'row-name')
      .attr('x', LEFT - 12).attr('y', (r) => r.y + 4).attr('text-anchor', 'end').text((r) => r.name);
    // the computation's arrows: along time in each direction's own order, and up through the layers
    const edges = [];
    const stateRows = rows.filter((r) => r.kind === 'state');
    for (const r of stateRows) {
      for (let t = 0; t + 1 < steps; t += 1) {
        const [a, b] = r.direction === 'forward' ? [t, t + 1] : [t + 1, t];
        edges.push({ x1: x(a), y1: r.y, x2: x(b), y2: r.y, kind: 'time' });
      }
    }
    const below = (r) => rows.filter((o) => (r.kind === 'loss' ? o.kind === 'state' && o.layer === answer.depth.layers.length
      : r.kind === 'state' && r.layer > 1 ? o.kind === 'state' && o.layer === r.layer - 1 : r.kind === 'state' && o.kind === 'input'));
    for (const r of rows.filter((o) => o.kind !== 'input')) {
      for (const o of below(r)) {
        for (let t = 0; t < steps; t += 1) {
          if (r.kind === 'loss' && !answer.forward.has_loss[t]) continue;
          edges.push({ x1: x(t) + (o.d ?? 0) * 4 - 2, y1: o.y - R, x2: x(t) + (r.d ?? 0) * 4 - 2, y2: r.y + R + 1, kind: 'depth' });
        }
      }
    }
    svg.selectAll('line.stack-edge').data(edges).join('line').attr('class', (e) => `stack-edge ${e.kind}`)
      .attr('x1', (e) => (e.kind === 'time' ? e.x1 + Math.sign(e.x2 - e.x1) * R : e.x1)).attr('y1', (e) => e.y1)
      .attr('x2', (e) => (e.kind === 'time' ? e.x2 - Math.sign(e.x2 - e.x1) * (R + 2) : e.x2)).attr('y2', (e) => e.y2)
      .attr('marker-end', 'url(#stack-arrow)');
    // the states, each coloured by its error
    const nodes = stateRows.flatMap((r) => errorOf(r, source).map((v, t) => ({ r, t, v })));
    svg.selectAll('circle.stack-node').data(nodes).join('circle').attr('class', 'stack-node')
      .attr('data-layer', (n) => n.r.layer).attr('data-direction', (n) => n.r.direction).attr('data-step', (n) => n.t)
      .attr('data-error', (n) => n.v)
      .attr('cx', (n) => x(n.t)).attr('cy', (n) => n.r.y).attr('r', R)
      .attr('fill', (n) => (n.v > 0 ? scale(n.v) : 'white')).classed('unreached', (n) => !(n.v > 0))
      .classed('picked', (n) => picked !== null && picked.layer === n.r.layer && picked.d === n.r.d && picked.t === n.t)
      .attr('tabindex', 0).attr('role', 'button').attr('aria-label', (n) => `layer ${n.r.layer}, ${n.r.direction}, step ${n.t}`)
      .on('click', (_, n) => pick(n))
      .on('keydown', (event, n) => { if (event.key === 'Enter') { event.preventDefault(); pick(n); } })
      .call(tooltip, (n) => [`layer ${n.r.layer}, ${n.r.direction}, step ${n.t}`,
        source === null ? `‖δh‖ = ${exact(n.v)} (every loss's error)` : `‖δh${sup(`${n.r.layer},${n.t}←${source}`)}‖ = ${exact(n.v)}`,
        `h = [${n.r.data.forward.h[n.t].slice(0, 4).map((v) => formatNumber(v, 3)).join(', ')}${n.r.data.forward.h[n.t].length > 4 ? ', …' : ''}]`]);
    // the losses: a click or Enter traces one
    const lossRow = rows[0];
    const losses = d3.range(steps).filter((t) => answer.forward.has_loss[t]);
    svg.selectAll('rect.stack-loss').data(losses).join('rect').attr('class', 'stack-loss')
      .attr('data-step', (t) => t).attr('tabindex', 0).attr('role', 'button')
      .attr('aria-pressed', (t) => String(t === source)).attr('aria-label', (t) => `Trace the error of J${sup(t)}`)
      .attr('x', (t) => x(t) - box / 2).attr('y', lossRow.y - box / 2).attr('width', box).attr('height', box)
      .classed('traced', (t) => t === source).classed('needed', (t) => needed.includes(t))
      .on('click', (_, t) => trace(t))
      .on('keydown', (event, t) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); trace(t); } })
      .call(tooltip, (t) => [`J${sup(t)} = ${exact(answer.forward.loss[t])}`, t === source ? 'click again to stop tracing' : 'click to trace its error']);
    const inputRow = rows[rows.length - 1];
    const vocab = answer.vocab;
    const label = (t) => (vocab ? visibleChar(vocab[tokenAt(answer, t)]) : `x${sup(t)}`);
    svg.selectAll('text.stack-input').data(d3.range(steps)).join('text').attr('class', 'stack-input')
      .style('font-size', `${Math.min(14, col - 4)}px`)
      .attr('x', x).attr('y', inputRow.y + 4).attr('text-anchor', 'middle').text(label);
    svg.selectAll('text.stack-step').data(d3.range(steps).filter((t) => col >= 24 || t % 5 === 0)).join('text')
      .attr('class', 'stack-step')
      .attr('x', x).attr('y', inputRow.y + 24).attr('text-anchor', 'middle').text((t) => t);
  }

  function drawMatrices(host, scale) {
    const layers = answer.depth.layers;
    const cells = host.selectAll('figure.stack-flow').data(layers).join('figure').attr('class', 'stack-flow')
      .attr('data-layer', (layer) => layer.layer);
    cells.selectAll('figcaption').data((layer) => [layer]).join('figcaption')
      .text((layer) => `Layer ${layer.layer}: F${sup(layer.layer)}[s][t] = ‖δh${sup(`${layer.layer},t←s`)}‖`);
    cells.each(function (layer) {
      const body = d3.select(this).selectAll('div.stack-flow-body').data([0]).join('div').attr('class', 'stack-flow-body');
      drawHeatmap(body.node(), {
        values: layer.flows.h, colour: (v) => scale(v), blank: (r, c) => !(layer.flows.h[r][c] > 0),
        rowLabel: 'loss s', colLabel: 'step t', maxSize: 220, axes: { rows: 's ↓', cols: 't →' },
        onClick: (_, hit) => { if (answer.forward.has_loss[hit.row]) trace(hit.row); },
      });
      const svg = body.select('div.heatmap svg');
      const cell = Number(body.select('div.heatmap').attr('data-cell'));
      svg.selectAll('rect.traced-row').data(source === null ? [] : [source]).join('rect').attr('class', 'traced-row')
        .attr('x', 0).attr('y', (s) => s * cell).attr('width', layer.flows.h.length * cell).attr('height', cell);
    });
  }

  // G_l(d) per layer on a log scale: back in time (solid) and, both ways, ahead (dashed).
  function drawGain(host) {
    const layers = answer.depth.layers;
    const steps = answer.config.steps;
    const lines = layers.flatMap((layer) => Object.entries(layer.gain).map(([way, values]) => ({ layer: layer.layer, way,
      points: values.map((v, d) => ({ d, v })).filter((p) => p.v !== null && p.v > 0) })));
    const all = lines.flatMap((l) => l.points.map((p) => p.v));
    const [W, H, M] = [420, 206, { top: 22, right: 70, bottom: 36, left: 50 }];
    const x = d3.scaleLinear([0, Math.max(1, steps - 1)], [M.left, W - M.right]);
    const y = d3.scaleLog(all.length ? d3.extent(all) : [0.1, 1], [H - M.bottom, M.top]).nice();
    const colour = d3.scaleOrdinal(layers.map((l) => l.layer), ['#0072B2', '#D55E00', '#009E73', '#CC79A7']);
    const svg = host.selectAll('svg.stack-gain').data([0]).join('svg').attr('class', 'stack-gain')
      .attr('width', W).attr('height', H).attr('role', 'img').attr('aria-label', 'each layer\'s gain against distance');
    svg.selectAll('g.x-axis').data([0]).join('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(x).ticks(6).tickFormat(d3.format('d')));
    svg.selectAll('g.y-axis').data([0]).join('g').attr('class', 'axis y-axis').attr('transform', `translate(${M.left},0)`)
      .call(d3.axisLeft(y).ticks(4).tickFormat(tickFormat({ log: true })));
    svg.selectAll('text.x-title').data([0]).join('text').attr('class', 'axis-title x-title')
      .attr('x', W - M.right).attr('y', H - 2).attr('text-anchor', 'end').text('distance d (steps)');
    svg.selectAll('text.y-title').data([0]).join('text').attr('class', 'axis-title y-title')
      .attr('x', M.left - 40).attr('y', 12).text('Gₗ(d), log scale');
    const key = [['back in time', null], ...(layers[0].gain.ahead ? [['ahead in time', '5 3']] : [])];
    const keys = svg.selectAll('g.gain-key').data(key).join('g').attr('class', 'gain-key')
      .attr('transform', (_, i) => `translate(${W - M.right - 150},${M.top + 4 + i * 14})`);
    keys.selectAll('line').data((k) => [k]).join('line').attr('x2', 22).attr('stroke', '#555')
      .attr('stroke-width', 2).attr('stroke-dasharray', (k) => k[1]);
    keys.selectAll('text').data((k) => [k]).join('text').attr('x', 26).attr('y', 4).text((k) => k[0]);
    const line = d3.line((p) => x(p.d), (p) => y(p.v));
    svg.selectAll('path.gain-line').data(lines).join('path').attr('class', 'gain-line')
      .attr('data-layer', (l) => l.layer).attr('data-way', (l) => l.way)
      .attr('d', (l) => line(l.points)).attr('stroke', (l) => colour(l.layer))
      .attr('stroke-dasharray', (l) => (l.way === 'ahead' ? '5 3' : null))
      .call(tooltip, (l) => [`layer ${l.layer}, ${l.way === 'back' ? 'back in time' : 'ahead in time'}`,
        'Gₗ(d): the share of a loss\'s error at the top that reaches this layer d steps away']);
    // each layer's name at its line's end, kept 12 px apart from the next one's
    const labels = lines.filter((l) => l.way === 'back' && l.points.length)
      .map((l) => ({ l, y: y(l.points[l.points.length - 1].v) + 4 })).sort((a, b) => a.y - b.y);
    labels.forEach((label, i) => { if (i && label.y < labels[i - 1].y + 12) label.y = labels[i - 1].y + 12; });
    svg.selectAll('text.gain-label').data(labels).join('text')
      .attr('class', 'gain-label').attr('x', W - M.right + 4).attr('fill', (d) => colour(d.l.layer))
      .attr('y', (d) => d.y).text((d) => `layer ${d.l.layer}`);
  }

  function draw(data) {
    answer = data;
    if (source !== null && !(source < data.config.steps && data.forward.has_loss[source])) source = null;
    const rows = rowsOf(data);
    // the states' colours span what they show (every loss's error, or the traced loss's); the flow
    // matrices' span every F_l
    const scale = magnitudeScale(rows.filter((r) => r.kind === 'state').flatMap((r) => errorOf(r, source)));
    const flowScale = magnitudeScale(data.depth.layers.flatMap((layer) => layer.flows.h));
    root.selectAll('p.stack-caption').data([0]).join('p').attr('class', 'stack-caption').attr('role', 'status')
      .text(caption(data, source));
    const grid = root.selectAll('div.stack-grid').data([0]).join('div').attr('class', 'stack-grid');
    if (picked && !(picked.layer <= data.depth.layers.length && picked.d < data.depth.directions.length
      && picked.t < data.config.steps)) picked = null;
    const explained = picked ? explainStep(data, picked) : { lines: ['Click a state (a circle) for its error, term by term, '
      + 'and its step\'s contribution to its layer\'s weights.'], needed: [] };
    root.selectAll('div.stack-pick').data([0]).join('div').attr('class', 'stack-pick').attr('role', 'status')
      .selectAll('p').data(explained.lines).join('p').text((line) => line);
    drawGrid(grid, rows, scale, explained.needed);
    const [lo, hi] = scale.domain();
    const legend = root.selectAll('div.stack-legend').data([0]).join('div').attr('class', 'stack-legend');
    colourBar(legend, scale, source === null ? '‖δh‖, every loss\'s error' : `‖δh${sup(`l,t←${source}`)}‖, J${sup(source)}'s error`);
    legend.selectAll('p').data([0]).join('p')
      .text(`Colour: the error's size on a log scale, dark ${formatNumber(lo, 2)} to yellow ${formatNumber(hi, 2)}; `
        + 'white, dashed: no error reaches that state. Arrows: the forward pass, along each direction\'s time and up '
        + 'through the layers; errors travel them backwards.');
    const matrices = root.selectAll('div.stack-flows').data([0]).join('div').attr('class', 'stack-flows');
    drawMatrices(matrices, flowScale);
    const gain = root.selectAll('div.stack-gain-box').data([0]).join('div').attr('class', 'stack-gain-box');
    gain.selectAll('p.stack-gain-caption').data([0]).join('p').attr('class', 'stack-gain-caption').text(gainCaption(data));
    drawGain(gain);
    const folded = root.selectAll('figure.stack-folded-box').data([0]).join('figure').attr('class', 'stack-folded-box');
    folded.selectAll('figcaption').data([0]).join('figcaption')
      .text('The same stack folded: each cell with its loop (its state read again at its next step), reading the row below.');
    drawStackFolded(folded.node(), data);
  }

  // A stack's answer is drawn here and the single-layer views are set aside (true); any other
  // answer brings them back (false).
  function show(data) {
    document.body.classList.toggle('stack-mode', Boolean(data.depth));
    if (!data.depth) return false;
    document.getElementById('empty').hidden = true;
    draw(data);
    return true;
  }

  // the stack's answer on screen, or null while a single layer's is shown
  const current = () => (document.body.classList.contains('stack-mode') ? answer : null);

  return { draw, show, trace, traced: () => source, current };
}

// The character a text's step t reads: the token an embedding looks up, or the one-hot input's.
function tokenAt(answer, t) {
  if (answer.depth.tokens) return answer.depth.tokens[t];
  const row = answer.forward.x[t];
  return row.indexOf(Math.max(...row));
}
