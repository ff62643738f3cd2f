// The compare view: one sequence through the simple RNN, the LSTM and the GRU. Their flow
// matrices on one shared log colour scale, and their error gain G(d) on one log plot.
import { exact, formatNumber, sup } from '../blocks/format.js';
import { logScaleBytes } from '../blocks/colour.js';
import { drawHeatmap } from '../blocks/heatmap.js';
import { gradientLegend, swatchLegend } from '../blocks/legend.js';
import { hide as hideTip, overAxis, show as showTip } from '../blocks/tooltip.js';
import { cellColour, magnitudeScale } from '../config.js';
import { getJSON } from '../io/api.js';
import { cellInfo } from '../state/meta.js';
import { gainAxes } from './explorer.js';

const d3 = window.d3;
const title = (cell) => cellInfo(cell).title;

// answers: {rnn, lstm, gru}, each an /unfold answer with the gain section.
function panels(answers) {
  return Object.entries(answers).flatMap(([cell, a]) => [
    { cell, path: 'h', answer: a, title: `${title(cell)}: ‖δh⁽ᵗ←ˢ⁾‖` },
    ...(a.flows.s ? [{ cell, path: 's', answer: a, title: `${title(cell)}: ‖δs⁽ᵗ←ˢ⁾‖ (cell state)` }] : []),
  ]);
}

function drawMatrices(root, list, scale) {
  const grid = root.selectAll('div.compare-matrices').data([0]).join('div').attr('class', 'compare-matrices');
  grid.selectAll('figure').remove();
  for (const { cell, path, answer, title } of list) {
    // only the rows of the steps that carry a loss (many-to-one: a single row)
    const sources = answer.forward.has_loss.flatMap((on, s) => (on ? [s] : []));
    const F = sources.map((s) => answer.flows[path][s]);
    const figure = grid.append('figure').attr('class', 'compare-matrix').attr('data-cell', cell).attr('data-path', path);
    figure.append('figcaption').style('color', cellColour(cell)).text(title);
    if (sources.length === 1) figure.append('div').attr('class', 'help').text(`the one loss, J${sup(sources[0])}: step t = 0 … ${F[0].length - 1} →`);
    drawHeatmap(figure.append('div').node(), {
      values: F, bytes: logScaleBytes(scale), blank: (i, t) => F[i][t] === 0, maxSize: sources.length > 1 ? 200 : 300, minCell: 4,
      rowLabel: 'source s', colLabel: 'step t',
      onHover: (event, { row, col: t, value }) => showTip(event, [
        `${title(cell)}: ‖δ${path}${sup(`${t}←${sources[row]}`)}‖ = ${exact(value)}`,
        value > 0 ? `the error of J${sup(sources[row])} ${sources[row] - t} steps back` : 'no error reaches here']),
      onLeave: hideTip,
    });
  }
}

function drawGain(root, list) {
  const width = 420;
  const height = 220;
  const margin = { top: 10, right: 12, bottom: 34, left: 52 };
  const curves = list.map(({ cell, path, answer }) => ({
    cell, path, values: answer.gain[path].map((g, d) => ({ d, g })).filter((p) => p.g !== null && p.g > 0),
  }));
  const all = curves.flatMap((c) => c.values);
  const svg = root.selectAll('svg.gain-plot').data([0]).join('svg').attr('class', 'gain-plot')
    .attr('width', width).attr('height', height).attr('role', 'img')
    .attr('aria-label', 'error gain G(d) against the distance d for each cell, log scale');
  svg.selectAll('*').remove();
  if (!all.length) {
    svg.append('text').attr('x', margin.left).attr('y', 40).attr('class', 'muted').text('No loss error to measure a gain by.');
    return;
  }
  const x = d3.scaleLinear([0, d3.max(all, (p) => p.d) || 1], [margin.left, width - margin.right]);
  const y = d3.scaleLog(d3.extent(all, (p) => p.g), [height - margin.bottom, margin.top]).nice();
  gainAxes(svg, x, y, { width, height, margin });
  const line = d3.line().x((p) => x(p.d)).y((p) => y(p.g));
  svg.selectAll('path.gain').data(curves).join('path')
    .attr('class', (c) => `gain gain-${c.path}`).attr('data-cell', (c) => c.cell).attr('data-path', (c) => c.path)
    .attr('fill', 'none').attr('stroke', (c) => cellColour(c.cell)).attr('stroke-width', 2)
    .attr('stroke-dasharray', (c) => (c.path === 's' ? '5 3' : null))
    .attr('d', (c) => line(c.values));
  svg.append('line').attr('class', 'unit-gain').attr('x1', margin.left).attr('x2', width - margin.right)
    .attr('y1', y(1)).attr('y2', y(1)).attr('stroke', '#999').attr('stroke-dasharray', '2 2');
  svg.on('mousemove', (event) => {
    if (overAxis(event)) return;
    const d = Math.round(x.invert(d3.pointer(event)[0]));
    const rows = curves.flatMap((c) => {
      const p = c.values.find((q) => q.d === d);
      return p ? [`${title(c.cell)} along ${c.path}: ${exact(p.g)}`] : [];
    });
    if (rows.length) showTip(event, [`G(${d}): the error left ${d} steps back`, ...rows]);
    else hideTip();
  }).on('mouseleave', hideTip);
}

// The experiment's shipped checkpoints (GET /api/v1/models), asked for once: each family (a task,
// its length and lag, an initialisation) whose three classic cells all shipped, at seed 0.
const CLASSIC = ['rnn', 'lstm', 'gru'];
let listing = null;
export async function families() {
  listing ??= getJSON('/api/v1/models').then((list) => list ?? [], () => []);
  const byFamily = d3.group((await listing).filter((m) => m.seed === 0), (m) => m.family);
  return [...byFamily].flatMap(([key, models]) => {
    const cells = CLASSIC.map((cell) => models.find((m) => m.cell === cell));
    return cells.every(Boolean) ? [{ key, title: models[0].family_title, models: cells }] : [];
  });
}

// A classic cell beside its min cell (issue 29), untrained, on the page's own sequence.
const PAIRS = { 'min-gru': ['gru', 'mingru'], 'min-lstm': ['lstm', 'minlstm'] };

// Which family `against` names: 'untrained', a family's key, or 'trained' (the family of the
// task on the page, else the first); null for untrained.
export function chosenFamily(list, against, state) {
  if (against === 'untrained' || PAIRS[against] || !list.length) return null;
  const named = list.find((f) => f.key === against);
  if (named) return named;
  const same = list.find(({ models: [m] }) => state.kind === 'dataset' && m.dataset.name === state.dataset
    && m.dataset.length === state.length && (m.dataset.delay ?? state.delay) === state.delay);
  return same ?? list[0];
}

// ask: {untrained(cell), trained(model)} -> askJSON's answers; against and state pick the
// weights (chosenFamily); choose(value) is called when the reader picks others.
export async function compareCells(container, { ask, against, state, choose }) {
  const cells = PAIRS[against] ?? CLASSIC;
  container.textContent = `Computing the ${cells.length === 2 ? 'two' : 'three'} cells…`;
  try {
    const list = await families();
    const family = chosenFamily(list, against, state);
    offerWeights(list, family ? family.key : PAIRS[against] ? against : 'untrained', choose);
    const answers = [];
    for (const [i, cell] of cells.entries()) { // one at a time: the server computes two requests at once, the page's own is one
      answers.push(await (family ? ask.trained(family.models[i]) : ask.untrained(cell)));
    }
    const failed = answers.find((a) => !a.ok);
    if (failed) { container.textContent = failed.data?.detail?.[0]?.msg ?? `The server answered ${failed.status}.`; return; }
    container.textContent = '';
    const byCell = Object.fromEntries(cells.map((cell, i) => [cell, answers[i].data]));
    if (family) trainedConditions(container, family, byCell);
    else conditions(container, byCell);
    if (PAIRS[against]) pairCaption(container, byCell);
    drawCompare(container, byCell);
  } catch (error) {
    if (error.name !== 'AbortError') container.textContent = `Could not reach the server: ${error.message}`;
  }
}

function offerWeights(list, chosen, choose) {
  const options = [...list.map((f) => ({ value: f.key, text: `trained on ${f.title}` })),
    { value: 'untrained', text: 'untrained, on the sequence above' },
    ...Object.entries(PAIRS).map(([value, pair]) => ({ value, text: `${pair.map(title).join(' beside the ')}, untrained, on the sequence above` }))];
  d3.select('#compare-weights').selectAll('option').data(options).join('option')
    .attr('value', (o) => o.value).text((o) => o.text);
  d3.select('#compare-weights').property('value', chosen)
    .on('change', function () { choose(this.value); });
}

// What the trained comparison is of, from the checkpoints' summaries and the answers on screen.
function trainedConditions(container, family, answers) {
  const { dataset, lag } = family.models[0];
  const parts = family.models.map((m) => {
    const biases = Object.entries(m.init).filter(([k]) => k !== 'name').map(([k, v]) => `${k.replace('_', ' ')} ${v > 0 ? '+' : ''}${v}`);
    const score = m.after.accuracy !== undefined ? `held-out accuracy ${formatNumber(m.after.accuracy, 3)}` : `held-out loss ${formatNumber(m.after.loss, 2)}`;
    return `${title(m.cell)}${biases.length ? ` (${biases.join(', ')})` : ''}: ${m.steps.toLocaleString('en')} updates, ${score}`;
  });
  const reach = CLASSIC.map((cell) => {
    const { gain } = answers[cell];
    const along = (path) => (gain[path]?.[lag] == null ? 'none' : formatNumber(gain[path][lag], 2));
    return `${title(cell)} ${along('h')}${gain.s ? ` (along s ${along('s')})` : ''}`;
  });
  const p = d3.select(container).append('p').attr('class', 'compare-conditions');
  p.append('span').text(`Held-out sequence 0 of ${dataset.name} (T = ${dataset.length}), each cell as make models trained it `
    + `(seed 0, Adam, H = ${family.models[0].hidden_size}): ${parts.join('; ')}. `);
  p.append('span').attr('class', 'compare-reach').text(`On this sequence, G(${lag}), the share of a loss's error left ${lag} steps back: ${reach.join(', ')}.`);
}

// What the comparison is of, from the answers themselves: seeded weights have learned nothing, so
// the view shows how each cell's error travels as initialised, not which cell learns better.
function conditions(container, answers) {
  const any = Object.values(answers)[0].config;
  const parts = Object.entries(answers).map(([cell, a]) => {
    const c = a.config;
    const seeded = cell === 'rnn' ? `ρ(W) = ${formatNumber(c.spectral_radius, 3)}`
      : ['lstm', 'minlstm'].includes(cell) ? `forget bias ${formatNumber(c.forget_bias, 3)}` : `update bias ${formatNumber(c.update_bias ?? 0, 3)}`;
    if (a.imported) return `${title(cell)}: your imported weights${cell === 'rnn' ? `, ${seeded}` : ''}`;
    return `${title(cell)}: untrained, seed ${c.seed}, ${seeded}`;
  });
  const untrained = Object.values(answers).some((a) => !a.imported);
  const p = d3.select(container).append('p').attr('class', 'compare-conditions');
  p.append('span').text(`The same ${any.steps}-step sequence (${any.task}), H = ${any.hidden_size}. ${parts.join('; ')}. `);
  if (untrained) {
    p.append('span').text('Untrained weights have learned nothing: this shows how each cell carries a loss\'s error back '
      + 'as initialised, not which cell learns to remember. For that, pick trained weights above, or ');
    p.append('a').attr('href', '/race').text('run the race');
    p.append('span').text(' (the three cells trained on a long-lag task).');
  }
}

// A classic cell beside its min cell: how much of a loss's error each keeps at the longest
// distance both measure, from the answers' gains.
function pairCaption(container, answers) {
  const [classic, min] = Object.keys(answers);
  const g = (cell) => answers[cell].gain.h;
  const d = d3.max(d3.range(Math.min(g(classic).length, g(min).length)).filter((k) => g(classic)[k] > 0 && g(min)[k] > 0));
  if (d === undefined || d === 0) return;
  const more = g(min)[d] > g(classic)[d] ? min : classic;
  d3.select(container).append('p').attr('class', 'compare-pair').text(
    `${d} steps back, G(${d}): the ${title(classic)} keeps ${formatNumber(g(classic)[d], 2)} of a loss's error, the `
    + `${title(min)} ${formatNumber(g(min)[d], 2)}, so here the ${title(more)} carries more of it. The ${title(min)}'s step back `
    + `multiplies each unit's error by its own gate (no W); the ${title(classic)}'s goes through W as well.`);
}

function drawCompare(container, answers) {
  const root = d3.select(container);
  const list = panels(answers);
  const scale = magnitudeScale(list.flatMap(({ answer, path }) => answer.flows[path]));
  drawMatrices(root, list, scale);
  const below = root.selectAll('div.compare-below').data([0]).join('div').attr('class', 'compare-below');
  gradientLegend(below.selectAll('div.legend').data([0]).join('div').attr('class', 'legend').node(), {
    scale, title: 'one scale for every matrix: ‖δ⁽ᵗ←ˢ⁾‖ (log)', log: true,
  });
  const plot = below.selectAll('div.gain').data([0]).join('div').attr('class', 'gain');
  drawGain(plot, list);
  swatchLegend(below.selectAll('div.gain-legend').data([0]).join('div').attr('class', 'legend gain-legend').node(), {
    title: 'G(d): the geometric mean over the losses of F[s][s−d] / F[s][s]',
    items: list.map(({ cell, path }) => ({ label: `${title(cell)} along ${path}`, colour: cellColour(cell), dashed: path === 's' })),
  });
}
