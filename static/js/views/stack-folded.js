// A stack folded (issue 28): the same network without time, as its code would be drawn: the input
// (an embedding's lookup, or one-hot), each layer's cell with its recurrent loop (both ways: a
// forward and a reverse cell side by side, their states stacked), and the output layer on top.
// Every label comes from the answer: the cell, H, the layers, the embedding's width, K.
import { sup } from '../blocks/format.js';
import { cellInfo, symbolOf } from '../state/meta.js';

const d3 = window.d3;
const BOX = { width: 150, height: 34 };
const GAP = 30; // between two rows of boxes

export function drawStackFolded(container, answer) {
  const { config } = answer;
  const L = config.layers;
  const dirs = config.bidirectional ? 2 : 1;
  const H = config.hidden_size;
  const cell = cellInfo(config.cell).title;
  const head = symbolOf('heads', config.output);
  const rows = [{ label: `ŷ = ${head}(V h${L === 1 ? '' : sup(L)} + c), K = ${config.output_size}`, kind: 'head' }];
  for (let l = L; l >= 1; l -= 1) {
    rows.push({ kind: 'layer', layer: l, cells: d3.range(dirs).map((d) => `${cell} ${l} ${d ? '←' : '→'}, H = ${H}`) });
  }
  rows.push({ kind: 'input', label: config.embedding ? `x = E[token], D = ${config.embedding}` : `x one-hot, D = ${config.input_size}` });
  const width = 60 + dirs * (BOX.width + 40);
  const height = rows.length * (BOX.height + GAP);
  const svg = d3.select(container).selectAll('svg.stack-folded').data([0]).join('svg').attr('class', 'stack-folded')
    .attr('width', width).attr('height', height).attr('role', 'img')
    .attr('aria-label', `the stack folded: ${L} layers of the ${cell}${dirs === 2 ? ', both ways' : ''}`);
  const y = (i) => i * (BOX.height + GAP) + 4;
  const boxes = rows.flatMap((row, i) => (row.kind === 'layer'
    ? row.cells.map((label, d) => ({ label, x: 30 + d * (BOX.width + 40), y: y(i), kind: 'layer', d }))
    : [{ label: row.label, x: 30, y: y(i), w: dirs * BOX.width + (dirs - 1) * 40, kind: row.kind }]));
  svg.selectAll('rect.fold-box').data(boxes).join('rect').attr('class', (b) => `fold-box ${b.kind}`)
    .attr('x', (b) => b.x).attr('y', (b) => b.y).attr('width', (b) => b.w ?? BOX.width).attr('height', BOX.height).attr('rx', 6);
  svg.selectAll('text.fold-label').data(boxes).join('text').attr('class', 'fold-label')
    .attr('x', (b) => b.x + (b.w ?? BOX.width) / 2).attr('y', (b) => b.y + BOX.height / 2 + 4)
    .attr('text-anchor', 'middle').text((b) => b.label);
  // each cell's loop: its state read again at the next step of its own time (← : the step before)
  const loops = boxes.filter((b) => b.kind === 'layer');
  svg.selectAll('path.fold-loop').data(loops).join('path').attr('class', 'fold-loop')
    .attr('d', (b) => `M${b.x + BOX.width},${b.y + 8} C${b.x + BOX.width + 30},${b.y - 6} ${b.x + BOX.width + 30},${b.y + BOX.height + 6} ${b.x + BOX.width},${b.y + BOX.height - 8}`)
    .attr('marker-end', 'url(#stack-arrow)');
  // up through the layers: every box reads the whole row below
  const arrows = d3.range(rows.length - 1).map((i) => ({ x: 30 + (dirs * BOX.width + (dirs - 1) * 40) / 2, y1: y(i + 1), y2: y(i) + BOX.height }));
  svg.selectAll('line.fold-up').data(arrows).join('line').attr('class', 'fold-up')
    .attr('x1', (a) => a.x).attr('x2', (a) => a.x).attr('y1', (a) => a.y1).attr('y2', (a) => a.y2 + 2)
    .attr('marker-end', 'url(#stack-arrow)');
}
