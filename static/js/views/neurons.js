// The "neurons" view: every unit as a circle, every weight as a line (for small networks only).
// The same RNN as the strips, drawn as the connections of neurons that it is.
import { exact, maxAbs, sup } from '../blocks/format.js';
import { tooltip } from '../blocks/tooltip.js';
import { layout, neurons as limits, valueScale } from '../config.js';
import { P } from '../state/notation.js';

const d3 = window.d3;
const { rows } = layout;

export function neuronsFit(m) {
  return m.cell === 'rnn' && m.hidden <= limits.maxHidden && m.config.input_size <= limits.maxInput
    && m.config.output_size <= limits.maxInput && m.steps <= limits.maxSteps;
}

// Units of a node stacked vertically around the row's centre.
function unitY(row, i, n) {
  const gap = Math.min(11, 80 / n);
  return rows[row] + (i - (n - 1) / 2) * gap;
}

export function drawNeurons(layer, m, x) {
  layer.selectAll('*').remove();
  if (!m || !neuronsFit(m)) return false;
  const f = m.response.forward;
  const w = m.response.weights;
  const weightScale = valueScale(Math.max(maxAbs(w.U), maxAbs(w.W), maxAbs(w.V)));
  const maxW = Math.max(maxAbs(w.U), maxAbs(w.W), maxAbs(w.V));
  const links = [];
  const connect = (matrix, name, fromRow, fromT, toRow, toT) => matrix.forEach((row, j) => row.forEach((value, i) => {
    links.push({ name, value, i, j, x1: x(fromT), y1: unitY(fromRow, i, row.length), x2: x(toT), y2: unitY(toRow, j, matrix.length) });
  }));
  for (let t = 0; t < m.steps; t += 1) {
    connect(w.U, 'U', 'x', t, 'h', t);
    connect(w.W, 'W', 'h', t - 1, 'h', t);
    connect(w.V, 'V', 'h', t, 'o', t);
  }
  layer.selectAll('line').data(links).join('line').attr('class', 'synapse')
    .attr('x1', (d) => d.x1).attr('y1', (d) => d.y1).attr('x2', (d) => d.x2).attr('y2', (d) => d.y2)
    .attr('stroke', (d) => weightScale(d.value)).attr('stroke-opacity', (d) => 0.15 + 0.85 * Math.abs(d.value) / maxW)
    .call(tooltip, (d) => [`${P(d.name)}[${d.j}][${d.i}] = ${exact(d.value)}`, 'one weight, shared by every step']);
  const units = [];
  const add = (row, values, t, name) => values.forEach((v, i) => units.push({ row, t, i, v, name, y: unitY(row, i, values.length) }));
  add('h', m.response.h0, -1, 'h⁽⁻¹⁾');
  for (let t = 0; t < m.steps; t += 1) {
    add('x', f.x[t], t, `x${sup(t)}`);
    add('h', f.h[t], t, `h${sup(t)}`);
    add('o', f.y_hat[t], t, `ŷ${sup(t)}`);
  }
  const valueScales = { x: valueScale(maxAbs(f.x)), h: valueScale(maxAbs(f.h)), o: valueScale(maxAbs(f.y_hat)) };
  layer.selectAll('circle').data(units).join('circle').attr('class', 'unit').attr('data-step', (d) => d.t)
    .attr('cx', (d) => x(d.t)).attr('cy', (d) => d.y).attr('r', limits.radius)
    .attr('fill', (d) => valueScales[d.row](d.v))
    .call(tooltip, (d) => [`${d.name}[${d.i}] = ${exact(d.v)}`]);
  return true;
}
