// The gradient panel for the chosen parameter θ: each step's contribution (∂J/∂θ)^(t) as a bar,
// stacked by the loss it came from; the per-step matrices; their sum ∂J/∂θ.
import { exact, sup, tickFormat } from '../blocks/format.js';
import { watchWidth } from '../blocks/size.js';
import { axisTips, hide as hideTip, overAxis, show as showTip, tooltip } from '../blocks/tooltip.js';
import { stepColour } from '../config.js';
import { P } from '../state/notation.js';
import { createMatrices } from './matrices.js';

const d3 = window.d3;
const MIN_SHARE = 0.005; // stack segments below this share of a bar merge into "other sources"

export function createGradientPanel(container, { onSelectStep, onSplit }) {
  const root = d3.select(container);
  const panelWidth = watchWidth(container, 480);
  // Segments are painted on a canvas (one per step and source: T x T at most, too many for
  // SVG), under an SVG that holds the axes and finds the segment under the pointer.
  const plot = root.append('div').attr('class', 'bars-plot');
  const canvas = plot.append('canvas').attr('class', 'bars-canvas').attr('aria-hidden', 'true');
  // focusable: ← → move the selected step
  const bars = plot.append('svg').attr('class', 'bars').attr('role', 'img').attr('tabindex', 0).attr('data-keys', '')
    .attr('aria-describedby', 'gradient-summary');
  const summary = root.append('p').attr('class', 'visually-hidden').attr('id', 'gradient-summary').attr('aria-live', 'polite');
  let selectedStep = 0;
  bars.on('keydown', (event) => {
    const move = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    if (!move || !model) return;
    event.preventDefault();
    onSelectStep(Math.max(0, Math.min(model.steps - 1, (selectedStep ?? 0) + move)));
  });
  const note = root.append('p').attr('class', 'update-note');
  // how a bar is split by the losses: in proportion to each part's size, or signed
  const splitChoice = root.insert('div', ':first-child').attr('class', 'split-choice').attr('role', 'radiogroup')
    .attr('aria-label', 'split each bar by loss');
  splitChoice.append('span').text('split by loss: ');
  for (const [value, label] of [['size', 'by size'], ['signed', 'signed']]) {
    const choice = splitChoice.append('label');
    choice.append('input').attr('type', 'radio').attr('name', 'split').attr('value', value)
      .on('change', () => onSplit(value));
    choice.append('span').text(` ${label}`);
  }
  const matrices = createMatrices(root.append('div').attr('class', 'matrices'), container);
  let model = null;
  let shown = '';
  let lastFrom = 0;
  let arrivedAtSum = false;

  // split 'size': a bar is ‖(∂J/∂θ)^(t)‖ and each loss's segment is in proportion to the size
  // of its part; 'signed': each segment is its part measured along the bar's direction (the
  // share), so a part that pulls against the total goes below 0.
  function segments(m, param, split) {
    const norms = m.response.gradients.norms[param];
    const own = param === 'V' || param === 'c';
    const share = m.response.flows.share;
    const segs = []; // T × sources candidates at T = 256: plain loops, no object per candidate
    for (let t = 0; t < m.steps; t += 1) {
      const norm = norms[t];
      if (own || !share) { // V and c: each step's own loss; without the shares (too many steps for the answer to carry them) one bar per step
        if (norm > 0) segs.push(own ? { t, s: t, value: norm } : { t, s: null, value: norm, whole: true });
        continue;
      }
      let sum = 0;
      for (const s of m.sources) sum += Math.abs(share[s][t] * norm);
      let rest = 0;
      for (const s of m.sources) {
        const part = share[s][t] * norm;
        if (part === 0) continue;
        const value = split === 'size' ? (sum > 0 ? (Math.abs(part) / sum) * norm : 0) : part;
        if (Math.abs(value) < MIN_SHARE * norm) rest += value;
        else segs.push(split === 'size' ? { t, s, value, signed: part } : { t, s, value });
      }
      if (rest) segs.push({ t, s: null, value: rest });
    }
    return segs;
  }

  // The segments of one parameter, stacked (positives up, negatives down, per step); kept
  // per answer, as re-selecting a step redraws with the same ones.
  const stacks = new Map();
  function stacked(m, param, split) {
    const key = `${param}|${split}`;
    if (stacks.get(key)?.m === m) return stacks.get(key).segs;
    const segs = segments(m, param, split);
    const up = new Map();
    const down = new Map();
    for (const d of segs) {
      const acc = d.value >= 0 ? up : down;
      d.from = acc.get(d.t) ?? 0;
      d.to = d.from + d.value;
      acc.set(d.t, d.to);
    }
    stacks.set(key, { m, segs });
    return segs;
  }

  // from: the first step whose contribution the backward pass has reached (the player's
  // playhead; T during the forward pass, 0 once it is done). Re-selecting a step only outlines
  // another bar: the axes, the bitmap and the lookup of the bars are kept.
  let laidOut = { key: null };
  function drawBars(m, param, step, from, split) {
    const key = `${answers}|${param}|${split}|${from}|${panelWidth()}`;
    if (laidOut.key !== key) laidOut = { key, ...layBars(m, param, from, split) };
    const { segs, byStep, x, y, width, height } = laidOut;
    paint(segs, byStep, x, y, width, height, step, m.steps, key);
  }

  function layBars(m, param, from, split) {
    const height = 170;
    const margin = { top: 10, right: 8, bottom: 34, left: 56 };
    // as wide as the panel (no sideways scroll), bars at most 36 px a step
    const width = Math.max(240, Math.min(panelWidth() - 4, margin.left + margin.right + m.steps * 36));
    const all = stacked(m, param, split);
    const segs = from > 0 ? all.filter((d) => d.t >= from) : all;
    const x = d3.scaleBand(d3.range(m.steps), [margin.left, width - margin.right]).padding(0.15);
    // the axis is the finished one's from the start, so bars do not rescale as they arrive
    const extent = [Math.min(0, d3.min(all, (d) => d.to) ?? 0), Math.max(1e-300, d3.max(all, (d) => d.to) ?? 1)];
    const y = d3.scaleLinear(extent, [height - margin.bottom, margin.top]).nice();
    bars.attr('width', width).attr('height', height)
      .attr('aria-label', `per-step contributions to dJ/d${P(param)}`);
    bars.selectAll('g.axis-y').data([0]).join('g').attr('class', 'axis axis-y')
      .attr('transform', `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(4).tickFormat(tickFormat()));
    // step labels at least 20 px apart, every 1, 2, 5, 10, … steps
    const every = [1, 2, 5, 10, 20, 50, 100, 200, 500].find((k) => k * x.step() >= 20) ?? 1000;
    bars.selectAll('g.axis-x').data([0]).join('g').attr('class', 'axis axis-x')
      .attr('transform', `translate(0,${height - margin.bottom})`)
      .call(d3.axisBottom(x).tickValues(d3.range(0, m.steps, every)).tickSizeOuter(0));
    bars.selectAll('text.axis-title-x').data([0]).join('text').attr('class', 'axis-title axis-title-x')
      .attr('x', (margin.left + width - margin.right) / 2).attr('y', height - 3).attr('text-anchor', 'middle')
      .text('step t');
    // by size a bar is the contribution's norm; signed, its parts measured along its direction
    const size = split === 'signed' ? `(∂J/∂${P(param)})⁽ᵗ⁾ along itself` : `‖(∂J/∂${P(param)})⁽ᵗ⁾‖`;
    const about = split === 'signed'
      ? 'each loss\'s part of one step\'s contribution, measured along it: below 0 it pulls against the rest'
      : `the size of step t's contribution to ∂J/∂${P(param)}, split by the loss it came from`;
    bars.selectAll('text.axis-title-y').data([0]).join('text').attr('class', 'axis-title axis-title-y')
      .attr('transform', `translate(12,${(margin.top + height - margin.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle')
      .text(size);
    axisTips(bars.select('g.axis-y'), size, [about]);
    axisTips(bars.select('g.axis-x'), 'step t');
    bars.select('text.axis-title-x').call(tooltip, () => ['step t', 'one bar per step: its contribution to the gradient']);
    bars.select('text.axis-title-y').call(tooltip, () => [size, about]);
    const byStep = d3.group(segs, (d) => d.t);
    const hit = (event) => {
      const [px, py] = d3.pointer(event, bars.node());
      const t = Math.floor((px - x.range()[0]) / x.step());
      if (t < from || t >= m.steps || px < x(t) || px > x(t) + x.bandwidth()) return null;
      const inside = (byStep.get(t) ?? []).find((d) => py >= y(Math.max(d.from, d.to)) - 0.5 && py <= y(Math.min(d.from, d.to)) + 0.5);
      return inside ?? { t, s: undefined };
    };
    bars.on('mousemove', (event) => {
      if (overAxis(event)) return;
      const d = hit(event);
      if (!d) { hideTip(); return; }
      const lines = [`(∂J/∂${P(param)})${sup(d.t)}: ‖·‖ = ${exact(m.response.gradients.norms[param][d.t])}`];
      if (d.whole) lines.push('the split by source is sent for shorter sequences (config.include)');
      else if (d.s === null) lines.push(`other sources: ${exact(d.value)}`);
      else if (d.s !== undefined && d.signed !== undefined) {
        lines.push(`from J${sup(d.s)}: ${exact(d.value)} of the bar`, `its part along the total: ${exact(d.signed)}`);
      } else if (d.s !== undefined) lines.push(`from J${sup(d.s)}: ${exact(d.value)}`);
      showTip(event, lines);
    }).on('mouseleave', hideTip)
      .on('click', (event) => { const d = hit(event); if (d) onSelectStep(d.t); });
    return { segs, byStep, x, y, width, height };
  }

  // The segments, and the selected step's outlined, at the screen's pixel density.
  // The segments are painted once per set of bars (tens of thousands at T = 256) and kept as a
  // bitmap; re-selecting a step copies it and outlines the step's bar.
  let bitmap = { key: null, canvas: document.createElement('canvas') };
  let answers = 0;
  function paint(segs, byStep, x, y, width, height, step, steps, key) {
    const ratio = window.devicePixelRatio || 1;
    const [pw, ph] = [Math.round(width * ratio), Math.round(height * ratio)];
    const w = x.bandwidth();
    const full = `${key}|${pw}|${ph}`;
    if (bitmap.key !== full) {
      const off = bitmap.canvas;
      off.width = pw;
      off.height = ph;
      const pen = off.getContext('2d');
      pen.setTransform(ratio, 0, 0, ratio, 0, 0);
      const byColour = new Map(); // one path per colour: a fill style set per segment costs more than the rectangle
      for (const d of segs) {
        const colour = d.s === null ? '#bbb' : stepColour(d.s, steps);
        if (!byColour.has(colour)) byColour.set(colour, new Path2D());
        const top = y(Math.max(d.from, d.to));
        byColour.get(colour).rect(x(d.t), top, w, Math.max(0.5, y(Math.min(d.from, d.to)) - top));
      }
      for (const [colour, path] of byColour) { pen.fillStyle = colour; pen.fill(path); }
      bitmap = { key: full, canvas: off };
    }
    if (canvas.attr('width') !== String(pw) || canvas.attr('height') !== String(ph)) {
      canvas.attr('width', pw).attr('height', ph).style('width', `${width}px`).style('height', `${height}px`);
    }
    const ctx = canvas.node().getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pw, ph);
    ctx.drawImage(bitmap.canvas, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    if (step === null || step === undefined) return;
    const mine = byStep.get(step);
    if (!mine?.length) return;
    const top = y(d3.max(mine, (d) => Math.max(d.from, d.to)));
    const bottom = y(d3.min(mine, (d) => Math.min(d.from, d.to)));
    ctx.strokeStyle = stepColour(step, steps);
    ctx.lineWidth = 2;
    ctx.strokeRect(x(step) - 1.5, top - 1.5, w + 3, bottom - top + 3);
  }

  function draw(m) {
    model = m;
    answers += 1; // a new answer: the bars' bitmap is stale
    shown = '';
  }

  // view: {sel, backwardTo, summing, split} (player.js phaseAt)
  function highlight({ sel, backwardTo, summing, split }) {
    if (!model) return;
    const from = backwardTo; // the first step the backward pass has reached (T in the forward pass, 0 at the sum)
    const key = `${sel.param}|${sel.step}|${from}|${summing}|${split}`;
    if (key === shown) return;
    // the total comes into view when the player reaches the sum, not when a page opens on it
    arrivedAtSum = summing && lastFrom > 0;
    lastFrom = from;
    shown = key;
    selectedStep = sel.step;
    drawBars(model, sel.param, sel.step, from, split);
    splitChoice.style('display', model.response.flows.share && sel.param !== 'V' && sel.param !== 'c' ? null : 'none')
      .selectAll('input').property('checked', function () { return this.value === split; });
    const norms = model.response.gradients.norms[sel.param];
    summary.text(sel.step === null ? '' : `(∂J/∂${P(sel.param)})${sup(sel.step)}: size ${exact(norms[sel.step])}; `
      + `the largest contribution is step ${d3.maxIndex(norms)}'s. Arrow keys move the step.`);
    matrices.draw(model, { answer: answers, param: sel.param, step: sel.step, from, summing, arrivedAtSum });
    const own = sel.param === 'V' || sel.param === 'c';
    const how = split === 'size'
      ? ' Each bar is split by the loss its error came from, in proportion to the size of each loss\'s part (colours: the losses J⁽ˢ⁾, as in the legend).'
      : ' Each segment is one loss\'s part measured along the bar\'s direction: a part that pulls against the total sits below 0, and the parts above minus those below make the bar\'s height.';
    const splitText = !model.response.flows.share ? ' The bars are grey, not split by source: at this length the answer leaves the split out.'
      : own ? ` ${P(sel.param)} acts after h⁽ᵗ⁾: each bar comes from the loss at its own step.` : how;
    note.text(`Each bar is the size of one step's contribution (∂J/∂${P(sel.param)})⁽ᵗ⁾.${splitText} ${P(sel.param)} is shared by every step: `
      + `its gradient is the sum of the ${model.steps} contributions, and ${P(sel.param)} is updated once, after the whole sequence.`);
  }

  return { draw, highlight };
}
