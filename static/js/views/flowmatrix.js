// The flow matrix F[s][t] = ||δh^(t←s)|| as a log-coloured heatmap, rows s (the loss), columns
// t (the step reached), with the band its errors reach outlined (t ≤ s, within k under
// truncation). Linked both ways with the network.
// For the LSTM it can show the cell state's flows ||δs^(t←s)|| instead (path 's').
import { exact, sup } from '../blocks/format.js';
import { logScaleBytes } from '../blocks/colour.js';
import { watchWidth } from '../blocks/size.js';
import { drawHeatmap } from '../blocks/heatmap.js';
import { gradientLegend } from '../blocks/legend.js';
import { hide as hideTip, show as showTip } from '../blocks/tooltip.js';
import { magnitudeScale, stepColour } from '../config.js';
import { neededSources } from '../state/model.js';
import { P } from '../state/notation.js';

const d3 = window.d3;

export function createFlowMatrix(container, { onHoverSource, onSelect }) {
  const root = d3.select(container);
  const panelWidth = watchWidth(container, 380);
  const caption = root.append('p').attr('class', 'help flow-caption');
  const plot = root.append('div').attr('class', 'flow-plot');
  const legend = root.append('div').attr('class', 'legend');
  const summary = root.append('p').attr('class', 'visually-hidden').attr('id', 'flow-summary').attr('aria-live', 'polite');
  let selected = { step: null, source: null };
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
    const scale = magnitudeScale(F);
    drawn = drawHeatmap(plot.node(), {
      values: F,
      bytes: logScaleBytes(scale),
      blank: (r, t) => F[r][t] === 0,
      rowLabel: 'source s', colLabel: 'step t',
      maxSize: Math.max(120, Math.min(320, panelWidth() - 64)), // the panel's width, less the axes
      axes: { rows: 'loss s ↓', cols: 'step t that its error reaches →', rowNames: (r) => rowSources[r] },
      onHover: (event, { row, col: t, value }) => {
        showTip(event, cellLines(m, rowSources[row], t, value));
        if (value > 0) onHoverSource(rowSources[row]);
      },
      onLeave: () => { hideTip(); onHoverSource(null); },
      onClick: (event, { row, col: t }) => onSelect({ step: t, source: rowSources[row] }),
    });
    drawBand(m);
    caption.text(captionOf(m));
    keyboard(F);
    gradientLegend(legend.node(), { scale, title: `‖δ${q}⁽ᵗ←ˢ⁾‖, the error of J⁽ˢ⁾ at step t (log scale)`, log: true });
  }

  // what the outline holds, said for the answer's truncation
  function captionOf(m) {
    const reach = m.window >= m.steps
      ? 'An error only goes back in time: the outline holds t ≤ s (full BPTT).'
      : `The outline is the truncation window: each error is followed back k = ${m.window} steps (s − ${m.window} < t ≤ s).`;
    return `Row s: the loss J⁽ˢ⁾. Column t: the step its error reaches. ${reach}`;
  }

  function cellLines(m, s, t, value) {
    const q = path;
    if (t > s) return [`F[${s}][${t}] = 0`, `t > s: J${sup(s)} does not depend on h${sup(t)}`];
    if (value === 0) return [`F[${s}][${t}] = 0`, m.response.forward.has_loss[s] ? `outside the window k = ${m.window}` : `no loss at step ${s}`];
    return [`F[${s}][${t}] = ‖δ${q}${sup(`${t}←${s}`)}‖ = ${exact(value)}`,
      `the error of J${sup(s)} when it reaches ${q}${sup(t)}${q === 's' ? ' along the cell state' : ''}`];
  }

  // The keyboard: the matrix takes the focus; arrows move a cursor over the cells (tracing the
  // cursor's loss on the network), Enter selects its step and loss, Escape lets go.
  let cursor = null;
  function keyboard(F) {
    const { svg, cell } = drawn;
    const hover = svg.select('rect.hover');
    const letGo = () => { cursor = null; hover.style('display', 'none'); onHoverSource(null); };
    svg.attr('tabindex', 0).attr('data-keys', '').attr('aria-describedby', 'flow-summary')
      .on('keydown', (event) => {
        if (event.key === 'Escape') { letGo(); return; }
        if ((event.key === 'Enter' || event.key === ' ') && cursor) {
          event.preventDefault();
          onSelect({ step: cursor.c, source: rowSources[cursor.r] });
          return;
        }
        const move = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[event.key];
        if (!move) return;
        event.preventDefault();
        const start = cursor ?? { r: Math.max(0, rowSources.indexOf(selected.source ?? rowSources.at(-1))), c: selected.step ?? 0 };
        cursor = {
          r: Math.max(0, Math.min(rowSources.length - 1, start.r + move[0])),
          c: Math.max(0, Math.min(model.steps - 1, start.c + move[1])),
        };
        hover.style('display', null).attr('x', cursor.c * cell).attr('y', cursor.r * cell);
        const s = rowSources[cursor.r];
        const value = F[cursor.r][cursor.c];
        summary.text(`${cellLines(model, s, cursor.c, value).join(': ')}. Enter selects step ${cursor.c} and the loss at step ${s}.`);
        onHoverSource(value > 0 ? s : null);
      })
      .on('blur', letGo);
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
  // view: {colour, sel, backwardTo, distance} (player.js phaseAt): columns the backward pass has
  // not reached yet are covered.
  function highlight({ colour, sel, backwardTo, distance = null }) {
    if (!drawn || !model) return;
    const from = backwardTo; // the first step the backward pass has reached (T in the forward pass, 0 at the sum)
    const key = `${colour}|${sel.param}|${sel.step}|${sel.source}|${from}|${distance}`;
    if (shown?.drawn === drawn && shown.key === key) return; // the player calls this on every frame
    shown = { drawn, key };
    const { svg, cell } = drawn;
    const t = sel.step;
    selected = { step: t, source: sel.source };
    let marks = [];
    let colourOfMarks = '#111';
    if (colour === 'gradient' && t !== null) {
      marks = neededSources(model, sel.param, t).map((s) => ({ s, t }));
      colourOfMarks = stepColour(t, model.steps);
    } else if (colour === 'source' && sel.source !== null) {
      marks = d3.range(0, sel.source + 1).filter((tt) => model.response.flows[path][sel.source][tt] > 0)
        .map((tt) => ({ s: sel.source, t: tt }));
      colourOfMarks = stepColour(sel.source, model.steps);
    }
    if (distance !== null) { // a distance hovered on the gain plot: every loss's error d steps back
      marks = rowSources.filter((s) => s - distance >= 0).map((s) => ({ s, t: s - distance }));
      colourOfMarks = '#111';
    }
    // one outline path for all the marked cells: a step reselected at T = 256 replaced ~250 rects
    const rowOf = new Map(rowSources.map((s, r) => [s, r]));
    const outline = marks.filter((d) => rowOf.has(d.s))
      .map((d) => `M${d.t * cell},${rowOf.get(d.s) * cell}h${cell}v${cell}h${-cell}Z`).join('');
    svg.selectAll('path.mark').data(outline ? [outline] : []).join('path').attr('class', 'mark')
      .attr('d', (v) => v).attr('stroke', colourOfMarks);
    if (!cursor) { // while the keyboard's cursor is on a cell, the summary speaks of that cell
      summary.text(colour === 'source'
      ? (sel.source === null ? 'Every loss\'s flow shown.' : `The flows of J${sup(sel.source)}: ${marks.length} steps reached.`)
        : `Step ${t} selected: marked, the ${marks.length} losses whose errors its contribution to ∂J/∂${P(sel.param)} needs.`);
    }
    svg.selectAll('rect.pending-cover').data(from > 0 ? [from] : []).join('rect').attr('class', 'pending-cover')
      .attr('x', 0).attr('y', 0).attr('width', (f) => f * cell).attr('height', drawn.height);
  }

  return { draw, highlight };
}
