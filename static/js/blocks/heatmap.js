// A matrix as a canvas heatmap with an SVG overlay for outlines and the hovered cell, and
// optional axes. Generic: rows x cols values, a colour function, and callbacks. Zero cells can
// be left blank. A matrix larger than maxSize cells is drawn smaller than a pixel a cell and
// scaled to fit, so it never overflows its panel.
import { heatmap as config } from '../config.js';
import { rgba } from './colour.js';
import { axisTips, tooltip } from './tooltip.js';

const d3 = window.d3;
const AXES = { top: 30, left: 50 }; // room for the tick labels and the titles
const MIN_TICK_GAP = 20; // px between two tick labels

// Every k-th index, k a 1-2-5 step, so that the labels keep MIN_TICK_GAP apart.
function tickIndices(n, cell) {
  const need = MIN_TICK_GAP / cell;
  const k = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((v) => v >= need) ?? Math.ceil(need);
  return d3.range(0, n, k);
}

function drawAxes(frame, { rows, cols, cell, width, height, axes }) {
  const svg = frame.selectAll('svg.heatmap-axes').data([0]).join('svg').attr('class', 'heatmap-axes')
    .attr('width', width + AXES.left + 4).attr('height', height + AXES.top + 4).attr('aria-hidden', 'true');
  const x = d3.scaleLinear([-0.5, cols - 0.5], [AXES.left, AXES.left + width]);
  const y = d3.scaleLinear([-0.5, rows - 0.5], [AXES.top, AXES.top + height]);
  const rowName = axes.rowNames ?? ((r) => r);
  svg.selectAll('g.axis-cols').data([0]).join('g').attr('class', 'axis axis-cols').attr('transform', `translate(0,${AXES.top})`)
    .call(d3.axisTop(x).tickValues(tickIndices(cols, cell)).tickFormat(d3.format('d')).tickSize(3).tickSizeOuter(0));
  svg.selectAll('g.axis-rows').data([0]).join('g').attr('class', 'axis axis-rows').attr('transform', `translate(${AXES.left},0)`)
    .call(d3.axisLeft(y).tickValues(tickIndices(rows, cell)).tickFormat(rowName).tickSize(3).tickSizeOuter(0));
  svg.selectAll('text.axis-title-cols').data([axes.cols]).join('text').attr('class', 'axis-title axis-title-cols')
    .attr('x', AXES.left).attr('y', 9).text((d) => d);
  // the rows' title in the corner, above the row labels (a rotated one would not fit a short matrix)
  svg.selectAll('text.axis-title-rows').data([axes.rows]).join('text').attr('class', 'axis-title axis-title-rows')
    .attr('x', AXES.left - 6).attr('y', AXES.top - 4).attr('text-anchor', 'end').text((d) => d);
  const name = (title) => title.replace(/[↓→←]/g, '').trim();
  axisTips(svg.select('g.axis-cols'), name(axes.cols));
  axisTips(svg.select('g.axis-rows'), name(axes.rows));
  svg.selectAll('text.axis-title').call(tooltip, (d) => [name(d), 'hover a cell of the matrix for its exact value']);
}

// The cells as pixels: one pixel a cell written straight into an ImageData, then scaled up to
// `paint` pixels a cell without smoothing (a fillRect per cell cost ~25 ms at 256 x 256).
function paintCells(canvas, { values, rows, cols, paint, colour, bytes, blank }) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!rows || !cols) return;
  const pixels = new ImageData(cols, rows);
  const data = pixels.data;
  for (let r = 0; r < rows; r += 1) {
    const row = values[r];
    for (let c = 0; c < cols; c += 1) {
      if (blank(r, c)) continue;
      const px = bytes ? bytes(row[c]) : rgba(colour(row[c], r, c)); // [r, g, b, a], read by index (no iterator)
      const k = 4 * (r * cols + c);
      data[k] = px[0]; data[k + 1] = px[1]; data[k + 2] = px[2]; data[k + 3] = px[3];
    }
  }
  if (paint === 1) { ctx.putImageData(pixels, 0, 0); return; }
  const small = document.createElement('canvas');
  small.width = cols;
  small.height = rows;
  small.getContext('2d').putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, cols * paint, rows * paint);
}

// colour(value, row, col) -> a CSS colour, or bytes(value) -> [r, g, b, a] (faster, for large matrices).
export function drawHeatmap(container, { values, colour, bytes, blank = () => false, rowLabel = 'row', colLabel = 'col',
  onHover, onLeave, onClick, maxSize = config.maxSize, minCell = config.minCell, maxCell = config.maxCell, axes = null }) {
  const rows = values.length;
  const cols = rows ? values[0].length : 0;
  const n = Math.max(rows, cols, 1);
  const cell = n > maxSize ? maxSize / n : Math.max(minCell, Math.min(maxCell, Math.floor(maxSize / n)));
  const paint = Math.max(1, Math.round(cell)); // canvas pixels a cell
  const width = cols * cell;
  const height = rows * cell;
  const root = d3.select(container);
  let host = root;
  if (axes) {
    host = root.selectAll('div.heatmap-frame').data([0]).join('div').attr('class', 'heatmap-frame')
      .style('padding', `${AXES.top}px 0 0 ${AXES.left}px`);
    drawAxes(host, { rows, cols, cell, width, height, axes });
  }
  const wrap = host.selectAll('div.heatmap').data([0]).join('div').attr('class', 'heatmap')
    .style('width', `${width}px`).style('height', `${height}px`)
    .attr('data-rows', rows).attr('data-cols', cols).attr('data-cell', cell);
  const canvas = wrap.selectAll('canvas').data([0]).join('canvas')
    .attr('width', cols * paint).attr('height', rows * paint)
    .style('width', `${width}px`).style('height', `${height}px`).node();
  paintCells(canvas, { values, rows, cols, paint, colour, bytes, blank });
  const svg = wrap.selectAll('svg').data([0]).join('svg').attr('width', width).attr('height', height);
  const hover = svg.selectAll('rect.hover').data([0]).join('rect').attr('class', 'hover')
    .attr('width', cell).attr('height', cell).style('display', 'none');
  const at = (event) => {
    const [px, py] = d3.pointer(event, svg.node());
    const r = Math.floor(py / cell);
    const c = Math.floor(px / cell);
    return r >= 0 && r < rows && c >= 0 && c < cols ? { row: r, col: c, value: values[r][c] } : null;
  };
  svg.on('mousemove', (event) => {
    const hit = at(event);
    hover.style('display', hit ? null : 'none');
    if (!hit) return;
    hover.attr('x', hit.col * cell).attr('y', hit.row * cell);
    if (onHover) onHover(event, hit);
  }).on('mouseleave', () => { hover.style('display', 'none'); if (onLeave) onLeave(); })
    .on('click', (event) => { const hit = at(event); if (hit && onClick) onClick(event, hit); });
  svg.attr('aria-label', `${rows} by ${cols} heatmap, ${rowLabel} by ${colLabel}`).attr('role', 'img');
  return { svg, cell, width, height };
}
