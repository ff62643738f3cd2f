// The equations panel: the selected cell's equations in MathML, filled with the numbers at
// the selected step (views/equations.js holds the equations of each cell).
import { el, mi, mn, mo, vector } from '../blocks/mathml.js';
import { equations } from './equations.js';

export function createDetails(container) {
  const root = container;
  let model = null;
  let shown = '';

  function draw(m) {
    model = m;
    shown = '';
  }

  function highlight({ sel }) {
    const t = sel.step ?? 0;
    const key = `${t}|${sel.param}`;
    if (!model || key === shown) return;
    shown = key;
    root.replaceChildren();
    const heading = document.createElement('h3');
    heading.textContent = `At step t = ${t}`;
    root.append(heading);
    let phase = '';
    for (const [kind, lhs, rhs, values, norm] of equations(model, t, sel.param)) {
      if (kind !== phase) {
        const label = document.createElement('div');
        label.className = 'eq-phase';
        label.textContent = kind;
        root.append(label);
        phase = kind;
      }
      const tail = values ? [mo('='), vector(values)] : [mo(','), mi('‖·‖'), mo('='), mn(norm)];
      const math = el('math', el('mrow', lhs, mo('='), ...rhs, ...tail));
      math.setAttribute('display', 'block');
      math.classList.add(kind);
      root.append(math);
    }
  }

  return { draw, highlight };
}
