// The frame of a contribution (∂J/∂θ)^(t) on the network: drawn where step t makes it (the
// weight's arrow, the bias's node), in step t's colour, with its size in the tooltip. Colour by
// gradient only, and once the backward pass has computed it (view.showFrame).
import { exact, sup } from '../blocks/format.js';
import { tooltip } from '../blocks/tooltip.js';
import { layout, stepColour, stepInk } from '../config.js';
import { P } from '../state/notation.js';
import { gateBoxes } from './gates.js';

const { node } = layout;

// [x, y, width, height] of each parameter's frame at step t (x: step -> the column's centre)
function boxesAt(m, x, t) {
  const { rows } = m;
  const half = node.height / 2;
  return {
    U: [x(t) - 16, rows.h + half + 2, 32, rows.x - rows.h - 2 * half - 4],
    W: [x(t - 1) + node.width / 2 - 2, rows.h - 16, layout.column - node.width + 4, 32],
    b: [x(t) - node.width / 2 - 5, rows.h - half - 12, node.width + 10, node.height + 17],
    V: [x(t) - 16, rows.o + half + 13, 32, rows.h - rows.o - 2 * half - 26],
    c: [x(t) - node.width / 2 - 5, rows.o - half - 5, node.width + 10, node.height + 17],
    ...gateBoxes(m, x(t)),
  };
}

// layer: a <g> above the columns; view: {colour, sel, showFrame}. Skips the work when nothing
// it shows has changed (the player calls it on every frame).
const framed = new WeakMap();
export function drawFrame(layer, m, x, { colour, sel, showFrame }) {
  const t = sel.step;
  const key = `${colour}|${sel.param}|${t}|${showFrame}`;
  if (framed.get(layer.node())?.m === m && framed.get(layer.node()).key === key) return;
  framed.set(layer.node(), { m, key });
  const on = colour === 'gradient' && showFrame && t !== null && t < m.steps;
  const box = on ? boxesAt(m, x, t)[sel.param] : null;
  layer.selectAll('rect').data(box ? [box] : []).join('rect')
    .attr('x', (d) => d[0]).attr('y', (d) => d[1]).attr('width', (d) => d[2]).attr('height', (d) => d[3])
    .attr('rx', 4).attr('stroke', stepColour(t, m.steps));
  const below = sel.param === 'W';
  const name = `(∂J/∂${P(sel.param)})${sup(t)}`;
  layer.selectAll('text').data(box ? [box] : []).join('text')
    .attr('x', (d) => d[0] + d[2] / 2).attr('y', (d) => (below ? d[1] + d[3] + 13 : d[1] - 3)).attr('fill', stepInk(t, m.steps))
    .text(name)
    .call(tooltip, () => [`${name}: step ${t}'s contribution to ∂J/∂${P(sel.param)}`,
      `‖${name}‖ = ${exact(m.response.gradients.norms[sel.param][t])}`,
      'the frame marks where it is made; the lit errors are the ones it needs']);
}
