// A vector as a strip of coloured cells. Generic: knows nothing of RNNs.
import { layout } from '../config.js';

// selection: a <g> per node, with datum {values, scale, describe(i, v) -> lines}; width, height in px.
export function strip(selection, { width, height, onCell }) {
  selection.each(function (node) {
    const n = node.values.length;
    const shown = Math.min(n, layout.strip.maxCells * 4);
    const cell = width / shown;
    const g = window.d3.select(this);
    g.selectAll('rect.frame').data([0]).join('rect').attr('class', 'frame')
      .attr('x', -width / 2 - 1).attr('y', -height / 2 - 1).attr('width', width + 2).attr('height', height + 2);
    g.selectAll('rect.cell')
      .data(node.values.slice(0, shown).map((v, i) => ({ v, i, node })))
      .join('rect')
      .attr('class', 'cell')
      .attr('x', (d) => -width / 2 + d.i * cell)
      .attr('y', -height / 2)
      .attr('width', Math.max(0.5, cell - (cell > 4 ? layout.strip.gap : 0)))
      .attr('height', height)
      .attr('fill', (d) => node.scale(d.v))
      .attr('data-value', (d) => d.v);
    if (onCell) g.selectAll('rect.cell').call(onCell);
  });
}
