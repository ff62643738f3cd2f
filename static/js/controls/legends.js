// The legend bar under the network: what every colour and width means in the current mode.
import { gradientLegend, swatchLegend } from '../blocks/legend.js';
import { sup } from '../blocks/format.js';
import { categoricalSteps, gateScale, stepColour, valueScale } from '../config.js';
import { P } from '../state/notation.js';
import { summarised } from '../views/flows.js';

const d3 = window.d3;

// step: the selected step, whose colour marks the errors its contribution needs (showStep)
export function drawLegends(container, model, colour, step) {
  const root = d3.select(container);
  root.selectAll('*').remove();
  gradientLegend(root.append('div').attr('class', 'legend').node(), {
    scale: valueScale(1), title: 'value or error, ÷ its row\'s max |v| (blue −, red +)',
  });
  const steps = d3.range(model.steps);
  const title = colour === 'gradient' ? 'step colour: (∂J/∂θ)⁽ᵗ⁾ and the errors it needs' : 'loss colour: J⁽ˢ⁾ and its error';
  const legend = root.append('div').attr('class', 'legend').node();
  if (categoricalSteps(model.steps)) {
    swatchLegend(legend, { title, items: steps.map((t) => ({ label: colour === 'gradient' ? `t=${t}` : `J${sup(t)}`, colour: stepColour(t, model.steps) })) });
  } else {
    gradientLegend(legend, {
      scale: d3.scaleSequential([0, model.steps - 1], (u) => stepColour(Math.round(u * (model.steps - 1)), model.steps)),
      title: `${title}: too many steps for one hue each, so early steps are dark and late ones orange (t = 0 … ${model.steps - 1})`,
      format: d3.format('d'),
    });
  }
  if (model.cell !== 'rnn') {
    gradientLegend(root.append('div').attr('class', 'legend gate-legend').node(), {
      scale: gateScale('forget'), title: 'σ gates: 0 shut … 1 open (the candidate uses the value scale)',
    });
  }
  const quiet = summarised(model, colour);
  const summary = { label: 'grey band: every loss\'s error together, ‖δh⁽ᵗ⁾‖ (width: log, thinner by a decade less); '
    + 'hover or click a loss J for its own band', colour: '#c4cacf' };
  const items = colour === 'gradient'
    ? [summary, { label: 'in the step\'s colour: the errors the selected contribution needs', colour: stepColour(step ?? 0, model.steps), cls: 'needed-swatch' }]
    : [...(quiet ? [summary] : []),
      { label: 'a loss\'s band, width: how much of its own error is left, ‖δh⁽ᵗ←ˢ⁾‖ / ‖δh⁽ˢ←ˢ⁾‖, on a log scale; the traced loss\'s band is labelled with it', colour: '#888' }];
  if (model.hasState) items.push({ label: 'dashed: the same along the cell state s', colour: '#ccc', dashed: true });
  if (colour === 'source' && !quiet) items.push({ label: 'faded: another loss than the traced one', colour: '#ddd' });
  swatchLegend(root.append('div').attr('class', 'legend').node(), { title: 'error bands', items });
  // the shadings' colours are the columns' own (app.css)
  swatchLegend(root.append('div').attr('class', 'legend').node(), {
    title: 'columns',
    items: [{ label: 'the selected step (click a column)', cls: 'shade-selected' }, { label: 'the playhead\'s step', cls: 'shade-current' }],
  });
}

// A new selected step: the swatch of the errors it needs takes its colour.
export function showStep(container, model, step) {
  d3.select(container).select('.needed-swatch i').style('background', stepColour(step ?? 0, model.steps));
}

export function explain(colour, model, sel) {
  if (!model) return '';
  if (colour === 'source') {
    const carousel = model.hasState ? ' In the LSTM it also travels along the cell state s (the dashed lane), '
      + 'scaled at each step only by the forget gate: where f stays near 1 it barely fades.' : '';
    const along = model.hasW ? `along the ${P('W')} edges; the band narrows as the error vanishes and widens as it explodes.`
      : 'from step to step, multiplied by the gate on each arrow (no W); the band narrows as the error vanishes.';
    return `Each loss J⁽ˢ⁾ has its own colour. Its error drops to h⁽ˢ⁾ and travels back ${along}${carousel} Hover a loss or a band to isolate it.`;
  }
  const own = sel.param === 'V' || sel.param === 'c';
  const name = P(sel.param);
  return `The frame is (∂J/∂${name})${sup(sel.step)}. ` + (own
    ? `${name} acts after h${sup(sel.step)}, so this contribution needs only the error δo${sup(sel.step)} of the loss at the same step.`
    : `It needs δa${sup(sel.step)}, which gathers the errors of every loss J⁽ˢ⁾ with s ≥ ${sel.step}`
      + `${model.config.truncate ? ` and s − ${sel.step} < k = ${model.config.truncate}` : ''}: they light up in the step's colour.`);
}
