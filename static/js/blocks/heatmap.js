// A matrix as a canvas heatmap with an SVG overlay for axes, outlines and the hovered cell.
// Generic: rows x cols values, a colour function, and callbacks. Zero cells can be left blank.
import { heatmap as config } from '../config.js';

const d3 = window.d3;

export function drawHeatmap(container, { values, colour, blank = () => false, rowLabel = 'row', colLabel = 'col',
  onHover, onLeave, onClick, maxSize = config.maxSize, minCell = config.minCell, maxCell = config.maxCell }) {
  const rows = values.length;
  const cols = rows ? values[0].length : 0;
  const cell = Math.max(minCell, Math.min(maxCell, Math.floor(maxSize / Math.max(rows, cols, 1))));
  const width = cols * cell;
  const height = rows * cell;
  const root = d3.select(container);
  const wrap = root.selectAll('div.heatmap').data([0]).join('div').attr('class', 'heatmap')
    .style('width', `${width}px`).style('height', `${height}px`)
    .attr('data-rows', rows).attr('data-cols', cols).attr('data-cell', cell);
  const canvas = wrap.selectAll('canvas').data([0]).join('canvas')
    .attr('width', width).attr('height', height).node();
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      if (blank(r, c)) continue;
      ctx.fillStyle = colour(values[r][c], r, c);
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  const svg = wrap.selectAll('svg').data([0]).join('svg').attr('width', width).attr('height', height);
  const hover = svg.selectAll('rect.hover').data([0]).join('rect').attr('class', 'hover')
    .attr('width', cell).attr('height', cell).style('display', 'none');
  const at = (event) => {
    const [px, py] = d3.pointer(event, canvas);
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
