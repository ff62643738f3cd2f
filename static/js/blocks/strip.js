// A vector as a strip of coloured cells. Generic: knows nothing of RNNs.
//
// The cells are painted on a scratch canvas and placed as one <image> per strip: a long sequence
// shows thousands of cells, and one SVG element each made the browser style, lay out and paint
// them one by one (most of a drawing's time). The strip keeps its frame and its group, so the
// page's classes (pending, hidden errors, neurons) fade it as before; a hover finds its cell
// from the pointer's position.
import { layout } from '../config.js';
import { rgba } from './colour.js';
import { setAttr } from './part.js';
import { rowPNG } from './png.js';
import { hide, show } from './tooltip.js';

const d3 = window.d3;

// One row of pixels, a CSS pixel's worth each (the last of a cell transparent when cells are
// wide enough to show a gap), stretched to the strip's size without smoothing, written as a PNG
// directly (blocks/png.js: no canvas, no compression).
function paint(values, scale, width) {
  const cell = width / values.length;
  const gap = cell > 4 ? layout.strip.gap : 0;
  const wide = Math.max(1, Math.round(width));
  const row = new Uint8Array(4 * wide); // transparent where no cell is painted
  values.forEach((v, i) => {
    const colour = rgba(scale(v));
    const to = Math.max(Math.round(i * cell) + 1, Math.round((i + 1) * cell - gap));
    for (let x = Math.round(i * cell); x < to; x += 1) row.set(colour, 4 * x);
  });
  return rowPNG(row, wide);
}

// selection: a <g> per node, with datum {values, scale}; width, height in px.
// describe({v, i}) -> lines: the tooltip of cell i, through one listener on the strip.
export function strip(selection, { width, height, describe }) {
  selection.each(function (node) {
    const shown = node.values.slice(0, layout.strip.maxCells * 4);
    const cell = width / shown.length;
    const g = d3.select(this);
    setAttr(g, 'data-cells', shown.length);
    // the frame and the image are kept while their size stays (a redraw changes only the pixels)
    const size = `${width}×${height}`;
    g.selectAll('rect.frame').data([size], (d) => d).join((enter) => enter.append('rect').attr('class', 'frame')
      .attr('x', -width / 2 - 1).attr('y', -height / 2 - 1).attr('width', width + 2).attr('height', height + 2));
    g.selectAll('image.cells').data([size], (d) => d).join((enter) => enter.append('image').attr('class', 'cells')
      .attr('x', -width / 2).attr('y', -height / 2).attr('width', width).attr('height', height)
      .attr('preserveAspectRatio', 'none'))
      .call(setAttr, 'href', paint(shown, node.scale, width));
    if (describe) {
      const at = (event) => Math.max(0, Math.min(shown.length - 1, Math.floor((d3.pointer(event, this)[0] + width / 2) / cell)));
      g.on('mouseover.tip mousemove.tip', (event) => {
        const i = at(event);
        show(event, describe({ v: shown[i], i }));
      }).on('mouseleave.tip', hide);
    }
  });
}
