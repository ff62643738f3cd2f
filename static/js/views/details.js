// The equations of MATH.md in MathML, filled with the numbers at the selected step.
import { exact } from '../blocks/format.js';

const NS = 'http://www.w3.org/1998/Math/MathML';
const MAX_ROWS = 4;

// el('mi', 'h') or el('mrow', child, child...): every string becomes a text node, never markup.
function el(tag, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}
const mi = (s) => el('mi', s);
const mo = (s) => el('mo', s);
const mn = (v) => el('mn', Number.isInteger(v) ? String(v) : v.toPrecision(6));
const sup = (base, t) => el('msup', typeof base === 'string' ? mi(base) : base, el('mrow', mo('('), el('mn', String(t)), mo(')')));

// A vector written as a transposed row, to save height: [v0, v1, …]ᵀ. Every value has its exact
// form in a tooltip.
function vector(values) {
  if (values.length === 1) return withTitle(mn(values[0]), values[0]);
  const items = values.slice(0, MAX_ROWS).flatMap((v, i) => (i ? [mo(','), withTitle(mn(v), v)] : [withTitle(mn(v), v)]));
  if (values.length > MAX_ROWS) items.push(mo(','), mo('…'));
  return el('msup', el('mrow', mo('['), ...items, mo(']')), mi('T'));
}

function withTitle(node, v) {
  node.setAttribute('title', exact(v));
  return node;
}

const G = { tanh: 'tanh', relu: 'relu', sigmoid: 'σ', identity: 'id' };
const F = { softmax: 'softmax', identity: 'id', sigmoid: 'σ' };

function equations(m, t, param) {
  const f = m.response.forward;
  const e = m.response.errors;
  // a MathML node can stand in one place only, so each use builds its own
  const prev = () => (t === 0 ? el('msup', mi('h'), el('mrow', mo('('), mn(-1), mo(')'))) : sup('h', t - 1));
  const d = (name, step) => el('mrow', mi('δ'), sup(name, step));
  const rows = [
    ['forward', sup('a', t), [mi('b'), mo('+'), mi('W'), prev(), mo('+'), mi('U'), sup('x', t)], f.a[t]],
    ['forward', sup('h', t), [mi(G[m.config.activation]), mo('('), sup('a', t), mo(')')], f.h[t]],
    ['forward', sup('o', t), [mi('c'), mo('+'), mi('V'), sup('h', t)], f.o[t]],
    ['forward', sup('ŷ', t), [mi(F[m.config.output]), mo('('), sup('o', t), mo(')')], f.y_hat[t]],
    ['forward', sup('J', t), [f.has_loss[t] ? mi('loss') : mi('no loss at this step')], [f.loss[t]]],
    ['backward', d('o', t), [sup('ŷ', t), mo('−'), sup('y', t)], e.o[t]],
    ['backward', d('h', t), [el('msup', mi('V'), mi('T')), d('o', t), mo('+'), el('msup', mi('W'), mi('T')), d('a', t + 1)], e.h[t]],
    ['backward', d('a', t), [el('msup', mi('g'), mo('′')), mo('('), sup('a', t), mo(')'), mo('⊙'), d('h', t)], e.a[t]],
  ];
  const contribution = {
    U: [d('a', t), el('msup', sup('x', t), mi('T'))], W: [d('a', t), el('msup', prev(), mi('T'))], b: [d('a', t)],
    V: [d('o', t), el('msup', sup('h', t), mi('T'))], c: [d('o', t)],
  }[param];
  const grad = el('msup', el('mrow', mo('('), el('mfrac', el('mrow', mi('∂'), mi('J')), el('mrow', mi('∂'), mi(param))), mo(')')),
    el('mrow', mo('('), el('mn', String(t)), mo(')')));
  rows.push(['gradient', grad, contribution, null, m.response.gradients.norms[param][t]]);
  return rows;
}

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
