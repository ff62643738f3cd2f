// A vector as a strip of coloured cells. Generic: knows nothing of RNNs.
import { layout } from '../config.js';
import { hide, show } from './tooltip.js';

// selection: a <g> per node, with datum {values, scale}; width, height in px.
// describe(cell) -> lines gives each cell a tooltip, through one listener on the strip (a long
// sequence has tens of thousands of cells; one listener each would cost more than drawing them).
export function strip(selection, { width, height, describe }) {
  selection.each(function (node) {
    const n = node.values.length;
    const shown = Math.min(n, layout.strip.maxCells * 4);
    const cell = width / shown;
    const g = window.d3.select(this);
    g.selectAll('rect.frame').data([0]).join('rect').attr('class', 'frame')
      .attr('x', -width / 2 - 1).attr('y', -height / 2 - 1).attr('width', width + 2).attr('height', height + 2);
    // cells share one group, so fading a strip is one layer, not one per cell
    g.selectAll('g.cells').data([0]).join('g').attr('class', 'cells')
      .selectAll('rect.cell')
      .data(node.values.slice(0, shown).map((v, i) => ({ v, i })))
      .join('rect')
      .attr('class', 'cell')
      .attr('x', (d) => -width / 2 + d.i * cell)
      .attr('y', -height / 2)
      .attr('width', Math.max(0.5, cell - (cell > 4 ? layout.strip.gap : 0)))
      .attr('height', height)
      .attr('fill', (d) => node.scale(d.v))
      .attr('data-value', (d) => d.v);
    if (describe) {
      g.on('mouseover.tip mousemove.tip', (event) => {
        const target = event.target.closest('rect.cell');
        if (target) show(event, describe(window.d3.select(target).datum()));
      }).on('mouseleave.tip', hide);
    }
  });
}
