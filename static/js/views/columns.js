// One column of the unfolded network: step t's background and labels (the column answers a
// hover with the arrow under the pointer, or else the step), its strips x, h, δh, ŷ, δo (and the
// gated cells' rows, gates.js), its loss and its prediction; and the names of the rows, at the
// left edge. network.js places the columns and draws each when it comes into view.
import { exact, formatNumber, sup } from '../blocks/format.js';
import { part, setAttr, setText } from '../blocks/part.js';
import { strip } from '../blocks/strip.js';
import { tooltip } from '../blocks/tooltip.js';
import { layout } from '../config.js';
import { symbolOf } from '../state/meta.js';
import { describeCell, describeEdge, describeStep } from './describe.js';
import { cellEdges, drawGateRows, drawInitialState, gateRowLabels } from './gates.js';

const d3 = window.d3;
const { node } = layout;

// The arrows every cell shares: h up to the output (V), the output to its loss; and across, h
// to the next step (W) and, for the LSTM, the cell state (f).
export function outputEdges({ rows }) {
  const half = node.height / 2;
  return [{ name: 'V', y1: rows.h - half - 11, y2: rows.o + half + 11 }, { name: 'loss', y1: rows.o - half, y2: rows.J + 13 }];
}

// The min cells carry h across by α alone: 1 − z (minGRU) or f′ (minLSTM), no weights.
const ALPHA_LABEL = { mingru: '1−z', minlstm: 'f′' };
export function acrossEdges(m) {
  if (!m.hasW) return [{ name: 'alpha', row: 'h', label: ALPHA_LABEL[m.cell] }];
  return [{ name: 'W', row: 'h' }, ...(m.hasState ? [{ name: 'f', row: 's' }] : [])];
}

// The names of a column's rows, in the dock that stays at the left edge while the columns scroll.
export function drawRowLabels(dock, m) {
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

// The loss in its pill: J⁽ᵗ⁾ and three digits (two when it needs ×10ⁿ); a label too long for
// the pill is fitted to it (LONG_LABEL characters is about what 12 px text fits in its width).
const LONG_LABEL = 11;
function lossLabel(t, loss) {
  const value = formatNumber(loss, 3);
  return `J${sup(t)} ${value.includes('×') ? formatNumber(loss, 2) : value}`;
}

// param(): the selected parameter, whose contribution a step's tooltip gives.
export function createColumns({ onSelectStep, onHoverSource, onPickSource, param }) {
  function nodeStrip(sel, m, t, quantity, values, scale, height = node.height) {
    sel.datum({ values, scale }).call(strip, {
      width: node.width,
      height,
      describe: (d) => describeCell(m, quantity, t, d.i, d.v),
    });
  }

  // Step t's background and labels (and h0's column left of step 0). A column drawn again for a
  // new answer of the same shape (network.js) keeps its elements and updates them in place.
  function drawColumn(g, m, t, scales) {
    const { rows } = m;
    part(g, 'rect', 'bg', (bg) => bg.attr('class', 'column-bg').attr('x', -layout.column / 2).attr('y', 4)
      .attr('width', layout.column).attr('height', m.height - 8))
      .on('click', () => onSelectStep(t));
    if (t < 0) {
      const h0 = part(g, 'g', 'h0', (sel) => sel.attr('class', 'node h0').attr('transform', `translate(0,${rows.h})`));
      nodeStrip(h0, m, t, 'h0', m.response.h0, scales.h);
      part(g, 'text', 'h0-label', (sel) => sel.attr('class', 'node-label h0-label').attr('y', rows.h - node.height / 2 - 6)
        .text('h⁽⁻¹⁾'));
      drawInitialState(g, m, scales, (sel, quantity, values, scale) => nodeStrip(sel, m, t, quantity, values, scale));
    } else {
      part(g, 'text', 'step', (sel) => sel.attr('class', 'step-label').attr('y', m.height - 6).text(t));
      setText(part(g, 'text', 'input', (sel) => sel.attr('class', 'input-label').attr('y', rows.x + node.height / 2 + 16)),
        m.inputLabel(t));
    }
    g.selectAll('.column-bg, .step-label, .input-label, .node-label').call(tooltip, (_, event) => describeColumn(m, t, event, g.node()));
  }

  // Where no square answers, the column does: the arrow under the pointer, or else the step.
  function describeColumn(m, t, event, g) {
    const edge = edgeAt(m, ...d3.pointer(event, g));
    if (edge) return describeEdge(m, edge);
    return describeStep(m, t, param());
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
    const row = (key, cls, y) => part(g, 'g', key, (sel) => sel.attr('class', cls).attr('transform', `translate(0,${y})`));
    nodeStrip(row('x', 'node x', rows.x), m, t, 'x', f.x[t], scales.x);
    nodeStrip(row('h', 'node h', rows.h), m, t, 'h', f.h[t], scales.h);
    nodeStrip(row('dh', 'node dh error', rows.h - node.height / 2 - 7), m, t, 'dh', e.h[t], scales.dh, 7);
    nodeStrip(row('o', 'node o', rows.o), m, t, 'y_hat', f.y_hat[t], scales.y_hat);
    nodeStrip(row('do', 'node do error', rows.o + node.height / 2 + 7), m, t, 'do', e.o[t], scales.do, 7);
    drawGateRows(g, m, t, scales, (sel, quantity, values, scale, height) => nodeStrip(sel, m, t, quantity, values, scale, height));
    drawLoss(g, m, t);
  }

  function drawLoss(g, m, t) {
    const f = m.response.forward;
    const loss = part(g, 'g', 'loss', (sel) => {
      sel.attr('class', `loss ${f.has_loss[t] ? 'has-loss' : 'no-loss'}`).attr('data-source', t)
        .attr('transform', `translate(0,${m.rows.J})`);
      sel.append('rect').attr('x', -node.width / 2).attr('y', -13).attr('width', node.width).attr('height', 26).attr('rx', 13);
      sel.append('text').attr('class', 'loss-value').attr('y', 4);
    });
    const label = f.has_loss[t] ? lossLabel(t, f.loss[t]) : 'no loss';
    const text = setText(loss.select('text.loss-value'), label);
    const fitted = label.length > LONG_LABEL ? String(node.width - 10) : null;
    setAttr(setAttr(text, 'textLength', fitted), 'lengthAdjust', fitted && 'spacingAndGlyphs');
    if (!f.has_loss[t]) return;
    loss.call(tooltip, () => [`J${sup(t)} = ${exact(f.loss[t])}`, 'hover to trace its error; click to select this step (by source: to keep tracing it)'])
      .on('mouseenter.source', () => onHoverSource(t)).on('mouseleave.source', () => onHoverSource(null))
      .on('click', () => onPickSource(t));
    if (m.isText) {
      const right = m.predictedLabel(t) === m.targetLabel(t);
      const p = f.y_hat[t];
      const [guess, target] = [d3.maxIndex(p), d3.maxIndex(f.y[t])];
      const prediction = part(g, 'text', 'prediction', (sel) => sel.attr('y', 26));
      setText(setAttr(prediction, 'class', `prediction ${right ? 'right' : 'wrong'}`), `${m.predictedLabel(t)} ${right ? '✓' : '✗'} ${m.targetLabel(t)}`)
        .call(tooltip, () => [`predicted '${m.predictedLabel(t)}' ${right ? '✓' : '✗'}: ŷ${sup(t)} gives it ${exact(p[guess])}`,
          `the target '${m.targetLabel(t)}' gets ${exact(p[target])}`, 'the prediction is the likeliest character']);
    } else if (f.y_hat[t].length === 1) { // a number: the prediction and its target, as numbers
      const numbers = part(g, 'g', 'numbers', (sel) => {
        sel.attr('class', 'prediction numeric');
        sel.append('text').attr('class', 'predicted').attr('y', 18);
        sel.append('text').attr('class', 'target').attr('y', 34);
      });
      setText(numbers.select('text.predicted'), `ŷ ${formatNumber(f.y_hat[t][0], 3)}`);
      setText(numbers.select('text.target'), `y ${formatNumber(f.y[t][0], 3)}`);
      numbers.call(tooltip, () => [`ŷ${sup(t)} = ${exact(f.y_hat[t][0])}`, `target y${sup(t)} = ${exact(f.y[t][0])}`]);
    }
  }

  return { drawColumn, drawContents };
}
