// The equations panel: the selected cell's equations in MathML, filled with the numbers at
// one step (views/equations.js holds the equations of each cell). The step is the playhead's
// while the player runs, the selected one otherwise; a value the playhead has not reached yet
// is not shown. A new answer whose equations read the same (a dragged slider) changes only the
// numbers: the MathML stays, and the browser does not lay it out again.
import { exact, formatNumber } from '../blocks/format.js';
import { el, mi, mn, mo } from '../blocks/mathml.js';
import { equations } from './equations.js';

const SHOWN_VALUES = 4; // a longer vector shows its first values; every value is in its tooltip

// '= [v0, v1, …]ᵀ' as text that wraps inside the panel, the full vector on hover.
function fillValues(line, values) {
  line.dataset.values = JSON.stringify(values);
  const items = values.slice(0, SHOWN_VALUES).map((v) => formatNumber(v, 4));
  if (values.length > SHOWN_VALUES) items.push(`… ${values.length - SHOWN_VALUES} more`);
  line.textContent = values.length === 1 ? `= ${items[0]}` : `= [${items.join(', ')}]ᵀ`;
  line.title = values.map((v, i) => `[${i}] ${exact(v)}`).join('\n');
}

function equationBlock(kind, lhs, rhs, values, norm) {
  const block = document.createElement('div');
  block.className = `eq ${kind}`;
  const tail = values ? [] : [mo(','), mi('‖·‖'), mo('='), mn(norm)];
  const math = el('math', el('mrow', lhs, mo('='), ...rhs, ...tail));
  block.append(math);
  if (values) {
    const line = document.createElement('div');
    line.className = 'eq-value';
    fillValues(line, values);
    block.append(line);
  }
  return block;
}

// What the equations say, without their numbers: equal for two answers that differ only in them.
const structureOf = (rows) => rows.map(([kind, lhs, rhs, values]) => [
  kind, lhs.outerHTML, ...rhs.map((node) => node.outerHTML), values ? `${values.length} values` : 'norm',
].join(' ')).join('\n');

export function createDetails(container) {
  const root = container;
  let model = null;
  let shown = '';
  let built = null; // the structure of the equations on screen

  function draw(m) {
    model = m;
    shown = '';
  }

  // Only the numbers of the equations on screen change.
  function refresh(rows) {
    const blocks = root.querySelectorAll(':scope > .eq');
    rows.forEach(([, , , values, norm], i) => {
      if (values) fillValues(blocks[i].querySelector('.eq-value'), values);
      else blocks[i].querySelector('math > mrow').lastElementChild.textContent = formatNumber(norm, 6);
    });
  }

  // view: {sel, phase, forwardTo, backwardTo} (player.js phaseAt)
  function highlight({ sel, phase, forwardTo, backwardTo }) {
    const playing = phase !== 'sum';
    const t = phase === 'forward' ? forwardTo : phase === 'backward' ? backwardTo : sel.step ?? 0;
    const key = `${t}|${sel.param}|${phase}`;
    if (!model || key === shown) return;
    shown = key;
    const rows = equations(model, t, sel.param).filter(([kind]) => phase !== 'forward' || kind.startsWith('forward'));
    const heading = playing ? `At step t = ${t} (the playhead, ${phase} pass)` : `At step t = ${t}`;
    const structure = `${heading}\n${structureOf(rows)}`;
    if (structure === built) { refresh(rows); return; }
    built = structure;
    root.replaceChildren();
    const title = document.createElement('h3');
    title.textContent = heading;
    root.append(title);
    let current = '';
    for (const [kind, lhs, rhs, values, norm] of rows) {
      const section = kind.split(' ')[0];
      if (section !== current) {
        const label = document.createElement('div');
        label.className = 'eq-phase';
        label.textContent = section;
        root.append(label);
        current = section;
      }
      root.append(equationBlock(kind, lhs, rhs, values, norm));
    }
    if (phase === 'forward') {
      const wait = document.createElement('p');
      wait.className = 'muted eq-pending';
      wait.textContent = 'The errors and this step\'s gradient contribution come in the backward pass, after the last step.';
      root.append(wait);
    }
  }

  return { draw, highlight };
}
