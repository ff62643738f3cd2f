// The flow matrix F[s][t] = ||δh^(t←s)|| as a log-coloured heatmap, rows s (the loss), columns
// t (the step reached), with the truncation band outlined. Linked both ways with the network.
// For the LSTM it can show the cell state's flows ||δs^(t←s)|| instead (path 's').
import { exact, sup } from '../blocks/format.js';
import { drawHeatmap } from '../blocks/heatmap.js';
import { gradientLegend } from '../blocks/legend.js';
import { hide as hideTip, show as showTip } from '../blocks/tooltip.js';
import { magnitudeScale, stepColour } from '../config.js';
import { neededSources } from '../model.js';

const d3 = window.d3;

export function createFlowMatrix(container, { onHoverSource, onSelect }) {
  const root = d3.select(container);
  const plot = root.append('div').attr('class', 'flow-plot');
  const legend = root.append('div').attr('class', 'legend');
  let drawn = null;
  let model = null;
  let path = 'h';

  // The rows drawn: every source s when most steps have a loss; only the losses' rows
  // otherwise (many-to-one has one: a T x T square would be all blank but one row).
  let rowSources = [];

  function draw(m, { flowPath = 'h' } = {}) {
    model = m;
    path = m.hasState && flowPath === 's' ? 's' : 'h';
    const full = m.response.flows[path];
    rowSources = m.sources.length === m.steps ? d3.range(m.steps) : m.sources;
    const F = rowSources.map((s) => full[s]);
    const q = path;
    const scale = magnitudeScale(F.flat());
    drawn = drawHeatmap(plot.node(), {
      values: F,
      colour: (v) => scale(v),
      blank: (r, t) => F[r][t] === 0,
      rowLabel: 'source s', colLabel: 'step t',
      axes: { rows: 'loss s ↓', cols: 'step t that its error reaches →', rowNames: (r) => rowSources[r] },
      onHover: (event, { row, col: t, value }) => {
        const s = rowSources[row];
        const lines = t > s ? [`F[${s}][${t}] = 0`, `t > s: J${sup(s)} does not depend on h${sup(t)}`]
          : value === 0 ? [`F[${s}][${t}] = 0`, m.response.forward.has_loss[s] ? `outside the window k = ${m.window}` : `no loss at step ${s}`]
            : [`F[${s}][${t}] = ‖δ${q}${sup(`${t}←${s}`)}‖ = ${exact(value)}`,
              `the error of J${sup(s)} when it reaches ${q}${sup(t)}${q === 's' ? ' along the cell state' : ''}`];
        showTip(event, lines);
        if (value > 0) onHoverSource(s);
      },
      onLeave: () => { hideTip(); onHoverSource(null); },
      onClick: (event, { row, col: t }) => onSelect({ step: t, source: rowSources[row] }),
    });
    drawBand(m);
    gradientLegend(legend.node(), { scale, title: `‖δ${q}⁽ᵗ←ˢ⁾‖, the error of J⁽ˢ⁾ at step t (log scale)`, log: true });
  }

  // The outline of the cells a window k lets through: 0 <= s - t < k. All rows: a staircase;
  // a few rows: each row's run of cells.
  function drawBand(m) {
    const { svg, cell } = drawn;
    const T = m.steps;
    const k = Math.min(m.window, T);
    let d;
    if (rowSources.length === T) {
      const upper = [...d3.range(T).flatMap((s) => [[s * cell, s * cell], [(s + 1) * cell, s * cell]]), [T * cell, T * cell]];
      const lower = d3.range(T - 1, -1, -1).flatMap((s) => {
        const left = Math.max(0, s - k + 1) * cell;
        return [[left, (s + 1) * cell], [left, s * cell]];
      });
      d = `M${[...upper, ...lower].map((p) => p.join(',')).join('L')}Z`;
    } else {
      d = rowSources.map((s, r) => {
        const left = Math.max(0, s - k + 1) * cell;
        return `M${left},${r * cell}H${(s + 1) * cell}V${(r + 1) * cell}H${left}Z`;
      }).join('');
    }
    svg.selectAll('path.band').data([d]).join('path')
      .attr('class', 'band').attr('data-window', m.config.truncate ?? 'full').attr('d', (v) => v);
    svg.select('rect.hover').raise();
  }

  let shown = null;
  // view: {colour, sel, phase, backwardTo} (player.js phaseAt): columns the backward pass has
  // not reached yet are covered.
  function highlight({ colour, sel, phase, backwardTo }) {
    if (!drawn || !model) return;
    const from = phase === 'forward' ? model.steps : phase === 'backward' ? backwardTo : 0;
    const key = `${colour}|${sel.param}|${sel.step}|${sel.source}|${from}`;
    if (shown?.drawn === drawn && shown.key === key) return; // the player calls this on every frame
    shown = { drawn, key };
    const { svg, cell } = drawn;
    const t = sel.step;
    let marks = [];
    if (colour === 'gradient' && t !== null) {
      marks = neededSources(model, sel.param, t).map((s) => ({ s, t, colour: stepColour(t, model.steps) }));
    } else if (colour === 'source' && sel.source !== null) {
      marks = d3.range(0, sel.source + 1).filter((tt) => model.response.flows[path][sel.source][tt] > 0)
        .map((tt) => ({ s: sel.source, t: tt, colour: stepColour(sel.source, model.steps) }));
    }
    const rowOf = (s) => rowSources.indexOf(s);
    svg.selectAll('rect.mark').data(marks.filter((d) => rowOf(d.s) >= 0), (d) => `${d.s},${d.t}`).join('rect').attr('class', 'mark')
      .attr('x', (d) => d.t * cell).attr('y', (d) => rowOf(d.s) * cell).attr('width', cell).attr('height', cell)
      .attr('stroke', (d) => d.colour);
    svg.selectAll('rect.pending-cover').data(from > 0 ? [from] : []).join('rect').attr('class', 'pending-cover')
      .attr('x', 0).attr('y', 0).attr('width', (f) => f * cell).attr('height', drawn.height);
  }

  return { draw, highlight };
}
