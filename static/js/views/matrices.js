// The matrices under the gradient bars: each step's contribution (∂J/∂θ)^(t) as a small
// heatmap, on one colour scale, and their sum ∂J/∂θ, the one matrix an update uses. A step the
// backward pass has not reached yet keeps its place, marked as not computed.
import { exact, maxAbs, sup } from '../blocks/format.js';
import { drawHeatmap } from '../blocks/heatmap.js';
import { hide as hideTip, show as showTip } from '../blocks/tooltip.js';
import { stepInk, valueScale } from '../config.js';
import { gatesOf } from '../state/meta.js';
import { P } from '../state/notation.js';

const d3 = window.d3;
const SMALL_MULTIPLES = 12; // draw every step's matrix up to this many steps

const asMatrix = (v) => (Array.isArray(v[0]) ? v : v.map((x) => [x]));

// A gated cell's U, W and b stack one H-row block per gate: each drawn apart, side by side, with
// its letter (one 4H x H tile would be a sliver). null for any other parameter or cell.
function gateBlocks(m, param, values) {
  const names = m.config.gates ?? [];
  if (names.length < 2 || !['U', 'W', 'b'].includes(param)) return null;
  const H = m.hidden;
  return names.map((name, k) => ({ letter: gatesOf(m.cell)[name].letter, offset: k * H, values: values.slice(k * H, (k + 1) * H) }));
}

// What the row shows, in order: {key, tag, cls, label, values?, colour?, text?}.
function items(m, { param, step, from, summing }, all, total) {
  const list = [];
  const label = (t) => (t === null ? `∂J/∂${P(param)}` : `(∂J/∂${P(param)})${sup(t)}`);
  const matrix = (t, values, cls, colour) => list.push({
    key: `m${t}`, tag: 'figure', cls: `matrix ${cls}`, label: label(t), values, colour, blocks: gateBlocks(m, param, values),
  });
  const pending = (t) => list.push({ key: `p${t}`, tag: 'figure', cls: 'matrix pending', label: label(t) });
  const op = (key, text) => list.push({ key, tag: 'span', cls: 'op', text });
  if (all.length && m.steps <= SMALL_MULTIPLES) {
    all.forEach((values, t) => {
      if (t < from) { pending(t); return; }
      matrix(t, values, t === step ? 'step selected' : 'step', stepInk(t, m.steps));
      op(`op${t}`, t < m.steps - 1 ? '+' : '=');
    });
  } else if (all.length && step !== null) {
    if (step < from) pending(step);
    else matrix(step, all[step], 'step selected', stepInk(step, m.steps));
    op('sum', `… Σ over ${m.steps} steps =`);
  } else {
    list.push({ key: 'note', tag: 'p', cls: 'muted', text: 'Per-step matrices are shown for shorter sequences; the bars above give every step.' });
  }
  if (from > 0) pending(null);
  else matrix(null, total, `total${summing ? ' summing' : ''}`, '#222');
  return list;
}

function fill(item, d, scale) {
  if (d.text !== undefined) { item.text(d.text); return; }
  if (d.values) {
    item.style('color', d.colour);
    const blocks = d.blocks ?? [{ letter: null, offset: 0, values: d.values }];
    const host = item.selectAll('div.gate-blocks').data([0]).join('div').attr('class', 'gate-blocks');
    host.selectAll('div.gate-block').data(blocks).join('div').attr('class', 'gate-block').attr('data-gate', (b) => b.letter)
      .each(function (b) {
        const block = d3.select(this);
        drawHeatmap(block.selectAll('div.block-map').data([0]).join('div').attr('class', 'block-map').node(), {
          values: b.values, colour: (v) => scale(v), maxSize: d.blocks ? 48 : 90, maxCell: 14,
          onHover: (event, { row, col, value }) => showTip(event, [`${d.label}[${row + b.offset}][${col}] = ${exact(value)}`,
            ...(b.letter ? [`the ${b.letter} gate's block, its row ${row}`] : [])]),
          onLeave: hideTip,
        });
        block.selectAll('span.block-letter').data(b.letter ? [b.letter] : []).join('span').attr('class', 'block-letter')
          .text((letter) => letter);
      });
  } else { // the place of a matrix the backward pass has not reached yet
    item.selectAll('div.pending-box').data([0]).join('div').attr('class', 'pending-box')
      .attr('title', 'not computed yet: the backward pass has not reached this step');
  }
  item.selectAll('figcaption').data([d.label]).join('figcaption').text((v) => v);
}

// row: the selection the matrices are drawn in; container: the panel's body (the total is
// scrolled into view inside the panel, not the page).
export function createMatrices(row, container) {
  let shown = null;

  function keepInView(element) {
    const panel = container.closest('.panel') ?? container;
    const top = element.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop;
    const bottom = top + element.getBoundingClientRect().height;
    if (top < panel.scrollTop || bottom > panel.scrollTop + panel.clientHeight) {
      panel.scrollTop = Math.max(0, bottom - panel.clientHeight + 8);
    }
  }

  // answer: a count that changes with each new answer; from: the first step the backward pass
  // has reached; arrivedAtSum: the player has just reached the sum. Without per-step matrices
  // (a long sequence) what is shown does not depend on the step. A new answer of the same
  // shape (a dragged slider) repaints the matrices in place.
  function draw(m, { answer, param, step, from, summing, arrivedAtSum }) {
    const perStep = m.response.gradients.per_step;
    const key = `${answer}|${param}|${perStep ? step : ''}|${from}|${summing}`;
    if (key === shown) return;
    shown = key;
    const total = asMatrix(m.response.gradients.total[param]);
    const all = perStep ? perStep[param].map(asMatrix) : [];
    const scale = valueScale(Math.max(maxAbs(total), ...all.map(maxAbs)));
    row.selectAll(':scope > *').data(items(m, { param, step, from, summing }, all, total), (d) => d.key)
      .join((enter) => enter.append((d) => document.createElement(d.tag)))
      .order()
      .attr('class', (d) => d.cls)
      .each(function (d) { fill(d3.select(this), d, scale); });
    if (summing && arrivedAtSum) keepInView(row.select('.matrix.total').node());
  }

  return { draw };
}
