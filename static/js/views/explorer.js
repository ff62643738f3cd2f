// Why simple RNNs struggle: the error gain G(d) against the distance d for the current network
// (for the simple RNN with the exact Jacobian norms and the bound (‖W‖₂γ)ᵈ), the ρ(W) slider
// that moves the cause while it is dragged, what the truncation window costs, and a gradient
// check that says how far the page's gradients can be trusted.
import { exact, formatNumber, tickFormat } from '../blocks/format.js';
import { watchWidth } from '../blocks/size.js';
import { axisTips, hide as hideTip, overAxis, show as showTip, tooltip } from '../blocks/tooltip.js';
import { cellColour } from '../config.js';
import { META, cellInfo } from '../state/meta.js';
import { P } from '../state/notation.js';

const d3 = window.d3;

// The gradient check's verdict in words: every quantity agrees with finite differences when its
// largest difference stays within the tolerance of its largest entry or within the rounding the
// differences carry themselves (a vanishing gradient of 1e-8 has a large relative error from that
// rounding alone, and is right). Red only when some analytic gradient is really off.
const QUANTITY = { h0: 'h⁽⁻¹⁾', s0: 's⁽⁻¹⁾', x: 'x' };
function verdict(badge, data) {
  const names = Object.keys(data.agrees);
  const off = names.filter((name) => !data.agrees[name]);
  const worst = names.reduce((a, b) => (data.max_abs_error[b] > data.max_abs_error[a] ? b : a));
  const of = (name) => `∂J/∂${QUANTITY[name] ?? name}`;
  const allowed = `within ${formatNumber(data.tolerance, 1)} of each gradient's largest entry, or within the `
    + `${formatNumber(data.rounding_floor, 2)} that the finite differences' own rounding allows`;
  const title = names.map((name) => `${of(name)}: largest difference ${exact(data.max_abs_error[name])}, largest `
    + `entry ${exact(data.largest_gradient[name])}, relative error ${exact(data.max_relative_error[name])}`).join('\n');
  badge.classed('passed', !off.length).classed('failed', off.length > 0).attr('title', title);
  if (!off.length) {
    badge.text(`✓ Gradients checked against finite differences: every one agrees, ${allowed}. The largest `
      + `difference is ${formatNumber(data.max_abs_error[worst], 2)} (in ${of(worst)}, whose largest entry is `
      + `${formatNumber(data.largest_gradient[worst], 2)}).`);
    return;
  }
  const bad = off.reduce((a, b) => (data.max_abs_error[b] > data.max_abs_error[a] ? b : a));
  badge.text(`⚠ Gradients checked against finite differences: ${off.map(of).join(', ')} differ by up to `
    + `${formatNumber(data.max_abs_error[bad], 2)} (largest entry ${formatNumber(data.largest_gradient[bad], 2)}), `
    + `more than ${formatNumber(data.tolerance, 1)} of the largest entry plus the differences' own rounding `
    + `(${formatNumber(data.rounding_floor, 2)}).`);
}

// A gate's bias at initialisation, as a slider: the form's field `field` (forget_bias, update_bias).
function biasSlider(root, field, label, onBias) {
  const id = `${field.replace('_bias', '')}-slider`; // forget-slider, update-slider
  const row = root.append('div').attr('class', `rho-slider bias-slider ${id}`);
  row.append('label').attr('for', id).text(label);
  const input = row.append('input').attr('id', id).attr('type', 'range').attr('min', -4).attr('max', 8).attr('step', 0.25);
  const value = row.append('output').attr('for', id);
  input.on('input', function () {
    value.text(Number(this.value).toFixed(2));
    onBias(field, Number(this.value), performance.now());
  });
  // shown (at `bias`) when the answer's cell has this gate and its weights are seeded; else hidden
  return (bias) => {
    row.style('display', bias === null ? 'none' : null);
    if (bias !== null) { input.property('value', bias); value.text(formatNumber(bias, 3)); }
  };
}

export function createExplorer(container, { onRho, onBias, onHoverDistance, askJSON, request }) {
  const root = d3.select(container);
  const panelWidth = watchWidth(container, 420);
  const readout = root.append('p').attr('class', 'explorer-readout');
  const sliderRow = root.append('div').attr('class', 'rho-slider');
  sliderRow.append('label').attr('for', 'rho-slider').text('spectral radius');
  const slider = sliderRow.append('input').attr('id', 'rho-slider').attr('type', 'range')
    .attr('min', 0.1).attr('max', 3).attr('step', 0.01)
    .attr('aria-describedby', 'explorer-readout');
  const sliderValue = sliderRow.append('output').attr('for', 'rho-slider');
  // the gated cells' cause: the forget gates' bias (the LSTM's, the minLSTM's) and the update
  // gates' (the GRU's, the minGRU's), at initialisation
  const showForget = biasSlider(root, 'forget_bias', 'forget-gate bias', onBias);
  const showUpdate = biasSlider(root, 'update_bias', 'update-gate bias', onBias);
  const plot = root.append('svg').attr('class', 'gain-plot explorer-gain').attr('role', 'img');
  const legend = root.append('p').attr('class', 'help explorer-legend');
  const truncation = root.append('div').attr('class', 'truncation-cost');
  const badge = root.append('p').attr('class', 'gradcheck-badge').attr('role', 'status');
  readout.attr('id', 'explorer-readout');

  slider.on('input', function () {
    sliderValue.text(Number(this.value).toFixed(2));
    onRho(Number(this.value), performance.now());
  });

  function drawReadout(m) {
    const g = m.response.gain;
    const rnn = m.cell === 'rnn';
    sliderRow.style('display', rnn ? null : 'none');
    // explicit weights set their biases themselves
    showForget(m.config.forget_bias ?? null);
    showUpdate(['gru', 'mingru'].includes(m.cell) && !m.response.imported ? m.config.update_bias ?? 0 : null);
    if (rnn && g) {
      const product = g.w_norm * g.gamma;
      slider.property('value', m.config.spectral_radius);
      sliderValue.text(formatNumber(m.config.spectral_radius, 3));
      const W = P('W');
      // above 1, what decides whether errors grow depends on g
      const mayGrow = {
        identity: `g′ = 1 everywhere, so ${W} alone decides: far enough back they scale as ρ(${W})ᵈ, growing when ρ(${W}) > 1.`,
        relu: 'relu′ is 0 or 1, so it depends on which units are active along the way.',
      }[m.config.activation] ?? 'whether they do depends on how saturated g is (g′ is small where g is flat).';
      readout.text(`ρ(${W}) = ${formatNumber(m.config.spectral_radius, 3)} · ‖${W}‖₂ = ${formatNumber(g.w_norm, 3)} · `
        + `γ = max|g′| = ${formatNumber(g.gamma, 2)} (${m.config.activation}) · ‖${W}‖₂γ = ${formatNumber(product, 3)}: `
        + (product < 1 ? `below 1, so every error must shrink at least that much a step back (‖${W}‖₂ < 1/γ = ${formatNumber(g.threshold, 2)}).`
          : `above 1, so the errors may grow: ${mayGrow}`));
    } else if (!m.hasW) {
      readout.text(minReadout(m));
    } else {
      readout.text(m.hasState ? 'The LSTM\'s cell state carries its error through the forget gates: the forget bias moves its gain.'
        : 'The GRU\'s update gate lets its state, and its error, pass a step almost unchanged where z is near 1.');
    }
  }

  function drawGain(m) {
    const g = m.response.gain;
    plot.selectAll('*').remove();
    if (!g) { legend.text('The gain is sent for shorter sequences.'); return; }
    const width = Math.max(220, Math.min(520, panelWidth() - 8)); // within a narrow panel, not cut off by it
    const height = 200;
    const margin = { top: 10, right: 12, bottom: 34, left: 56 };
    const curve = (values, name) => values.map((v, d) => ({ d, v, name })).filter((p) => p.v !== null && p.v > 0);
    const lines = [
      { name: 'G(d) along h', key: 'h', points: curve(g.h, 'h'), colour: cellColour(m.cell),
        about: 'how much of a loss\'s error is left d steps back along h' },
      ...(g.s ? [{ name: 'G(d) along s (the cell state)', key: 's', points: curve(g.s, 's'), colour: '#875692', dashed: true,
        about: 'the same along the LSTM\'s cell state s' }] : []),
      ...(g.jacobian ? [{ name: '‖∂h⁽τ⁾/∂h⁽τ⁻ᵈ⁾‖₂', key: 'jacobian', points: curve(g.jacobian, 'jacobian'), colour: '#555',
        about: m.hasW ? 'the norm of the d steps\' Jacobians multiplied, averaged over the losses'
          : 'exact: the Jacobian is diagonal, the product of the d steps\' α, and its norm the largest unit\'s product' }] : []),
      ...(g.bound ? [{ name: `bound (‖${P('W')}‖₂γ)ᵈ`, key: 'bound', points: curve(g.bound, 'bound'), colour: '#BE0032', dashed: true,
        about: `no error can shrink or grow faster: γ bounds |g′| and ‖${P('W')}‖₂ the stretch of one step` }] : []),
    ].filter((l) => l.points.length);
    const all = lines.filter((l) => l.key !== 'bound').flatMap((l) => l.points); // the bound may run off the top
    plot.attr('width', width).attr('height', height)
      .attr('aria-label', 'the error gain G(d) against the distance d, log scale');
    if (!all.length) {
      plot.append('text').attr('x', margin.left).attr('y', 40).attr('class', 'muted').text('No loss error to measure a gain by.');
      legend.text('');
      return;
    }
    const x = d3.scaleLinear([0, Math.max(1, d3.max(all, (p) => p.d))], [margin.left, width - margin.right]);
    const extent = d3.extent(all, (p) => p.v);
    const y = d3.scaleLog([Math.min(extent[0], 0.5), Math.max(extent[1], 2)], [height - margin.bottom, margin.top]).nice().clamp(true);
    gainAxes(plot, x, y, { width, height, margin });
    plot.append('line').attr('class', 'unit-gain').attr('x1', margin.left).attr('x2', width - margin.right)
      .attr('y1', y(1)).attr('y2', y(1));
    const line = d3.line().x((p) => x(p.d)).y((p) => y(p.v));
    plot.selectAll('path.gain').data(lines).join('path').attr('class', (l) => `gain gain-${l.key}`).attr('data-key', (l) => l.key)
      .attr('d', (l) => line(withinTop(l.points, y.domain()[1]))).attr('stroke', (l) => l.colour).attr('stroke-dasharray', (l) => (l.dashed ? '5 3' : null));
    plot.on('mousemove', (event) => {
      if (overAxis(event)) return;
      const d = Math.round(x.invert(d3.pointer(event)[0]));
      const rows = lines.flatMap((l) => { const p = l.points.find((q) => q.d === d); return p ? [`${l.name}: ${exact(p.v)}`] : []; });
      if (rows.length) showTip(event, [`d = ${d} steps back`, ...rows, 'marked on the flow matrix and on the network\'s bands']);
      else hideTip();
      onHoverDistance(rows.length ? d : null);
    }).on('mouseleave', () => { hideTip(); onHoverDistance(null); });
    legend.selectAll('*').remove();
    legend.text('');
    const keys = legend.append('span').attr('class', 'line-keys');
    for (const l of [...lines, { name: '1: nothing lost', colour: '#aaa', dashed: true, dotted: true, about: 'below it errors vanish, above it they explode' }]) {
      const key = keys.append('span').attr('class', 'line-key');
      key.append('svg').attr('width', 22).attr('height', 8).append('line').attr('x1', 1).attr('x2', 21).attr('y1', 4).attr('y2', 4)
        .attr('stroke', l.colour).attr('stroke-width', 2).attr('stroke-dasharray', l.dotted ? '2 2' : l.dashed ? '5 3' : null);
      key.append('span').text(l.name);
      key.call(tooltip, () => [l.name, l.about ?? 'hover the plot for its value at each distance']);
    }
    legend.append('span').text(' G(d): the geometric mean over the losses of how much of a loss\'s error is left d steps back. '
      + 'A falling line vanishes, a rising one explodes.');
  }

  // A line that leaves the plot at the top (the bound) ends where it crosses the edge: clamped,
  // it would run flat along the top as if it stopped growing.
  function withinTop(points, top) {
    const end = points.findIndex((p) => p.v > top);
    if (end <= 0) return end === 0 ? [] : points;
    const [a, b] = [points[end - 1], points[end]];
    const cross = a.d + (b.d - a.d) * Math.log(top / a.v) / Math.log(b.v / a.v); // straight on a log axis
    return [...points.slice(0, end), { d: cross, v: top }];
  }

  function drawTruncation(m) {
    const cut = m.response.truncation;
    truncation.selectAll('*').remove();
    if (!cut || cut.window === null) return;
    truncation.append('div').attr('class', 'legend-title')
      .text(`What k = ${cut.window} costs: how far each truncated gradient is from full BPTT's`);
    const rows = truncation.selectAll('div.cost').data(Object.entries(cut.relative)).join('div').attr('class', 'cost')
      .attr('data-param', ([name]) => name);
    rows.append('span').attr('class', 'cost-name').text(([name]) => `∂J/∂${P(name)}`);
    rows.append('span').attr('class', 'cost-bar').append('i').style('width', ([, v]) => `${Math.min(100, 100 * v)}%`);
    rows.append('span').attr('class', 'cost-value').text(([, v]) => `${formatNumber(100 * v, 3)}% off`)
      .attr('title', ([name, v]) => `‖truncated − full‖ / ‖full‖ = ${exact(v)} (‖full‖ = ${exact(cut.full_norm[name])})`);
  }

  // The check waits for a quiet moment (no new answer for CHECK_DELAY_MS): it takes a
  // computation slot on the server, which a dragged slider needs more.
  const CHECK_DELAY_MS = 1200;
  let checkTimer = null;
  let checked = null;
  function scheduleCheck(m) {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => gradcheck(m), CHECK_DELAY_MS);
  }

  // The answer on screen is checked, not the form: a newer request may be on its way, and the
  // cost checked below is this answer's.
  async function gradcheck(m) {
    const asked = m.request ?? request();
    const key = JSON.stringify(asked);
    if (checked === key) return;
    checked = key;
    const limit = META.limits.gradcheck_cost;
    if (m.config.gradcheck_cost > limit) { // the server's own figure: no request it would refuse
      badge.attr('class', 'gradcheck-badge unchecked').text(`Gradient check not run here: finite differences would cost `
        + `${m.config.gradcheck_cost.toLocaleString('en')} step evaluations; the limit is ${limit.toLocaleString('en')} `
        + '(fewer steps, hidden units or characters). The same code is checked on small cases by the test suite.');
      return;
    }
    badge.attr('class', 'gradcheck-badge').text('Checking the gradients against finite differences…');
    try {
      const { ok, data } = await askJSON('/api/v1/gradcheck', { ...asked, include: undefined }, 'gradcheck');
      if (checked !== key) return;
      if (!ok) {
        badge.classed('unchecked', true).text(`Gradient check not run here: ${data?.detail?.[0]?.msg ?? 'the server refused it'}. `
          + 'The same code is checked on small cases by the test suite.');
        return;
      }
      badge.classed('passed', false).classed('failed', false);
      verdict(badge, data);
    } catch (error) {
      if (error.name !== 'AbortError') badge.text(`Gradient check failed to run: ${error.message}`);
    }
  }

  function draw(m) {
    drawReadout(m);
    drawGain(m);
    drawTruncation(m);
    scheduleCheck(m);
  }

  return { draw, highlight: () => {} };
}

// A gain plot's axes, titled and answering a hover: the distance d below, G(d) on a log scale.
// The min cells' step back is diag(α): what its numbers on screen say about vanishing.
function minReadout(m) {
  const alpha = m.cell === 'mingru' ? m.response.forward.gates.update.flat().map((z) => 1 - z) : m.response.forward.gates.f_norm.flat();
  const name = m.cell === 'mingru' ? '1 − z' : 'f′';
  return `The ${cellInfo(m.cell).title}'s gates read only x, so one step back multiplies each unit's error by its own α = ${name}: `
    + `here between ${formatNumber(d3.min(alpha), 3)} and ${formatNumber(d3.max(alpha), 3)}. With no W, and every α below 1, `
    + 'an error can only shrink going back, at a rate the gates alone set; the grey curve is the exact Jacobian norm, the largest unit\'s product of α. '
    + `And since α and β come from x alone, h⁽ᵗ⁾ = α ⊙ h⁽ᵗ⁻¹⁾ + β can be composed in any grouping: a parallel scan computes all ${m.steps} states `
    + `in ${Math.ceil(Math.log2(Math.max(2, m.steps)))} rounds instead of ${m.steps} steps one after another (the core checks it gives the same numbers).`;
}

export function gainAxes(plot, x, y, { width, height, margin }) {
  const below = plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).tickValues(x.ticks(6).filter(Number.isInteger)).tickFormat(d3.format('d')));
  const left = plot.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).ticks(5).tickFormat(tickFormat({ log: true })));
  axisTips(below, 'distance d', ['how many steps back from the loss']);
  axisTips(left, 'G(d)', ['how much of an error is left d steps back (log scale)']);
  plot.append('text').attr('class', 'axis-title').attr('x', (margin.left + width) / 2).attr('y', height - 3)
    .attr('text-anchor', 'middle').text('distance d = s − t (steps back)')
    .call(tooltip, () => ['distance d = s − t', 'from the loss J⁽ˢ⁾ back to the step t its error reaches']);
  plot.append('text').attr('class', 'axis-title').attr('transform', `translate(12,${height / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle').text('G(d), log scale')
    .call(tooltip, () => ['G(d), log scale', 'the geometric mean over the losses of F[s][s−d] / F[s][s]; 1: nothing lost']);
}
