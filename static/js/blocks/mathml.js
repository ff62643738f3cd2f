// MathML built from text nodes only: every string becomes a text node, never markup.
import { exact } from './format.js';

const NS = 'http://www.w3.org/1998/Math/MathML';
const MAX_ROWS = 4;

// el('mi', 'h') or el('mrow', child, child...)
export function el(tag, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}
export const mi = (s) => el('mi', s);
export const mo = (s) => el('mo', s);
export const mn = (v) => el('mn', Number.isInteger(v) ? String(v) : v.toPrecision(6));
export const row = (...children) => el('mrow', ...children);
// x^(t): a symbol (or node) with the step as a superscript in brackets
export const sup = (base, t) => el('msup', typeof base === 'string' ? mi(base) : base, row(mo('('), el('mn', String(t)), mo(')')));
// x_i: a symbol with a subscript
export const sub = (base, index) => el('msub', typeof base === 'string' ? mi(base) : base, mi(index));
export const transposed = (base) => el('msup', typeof base === 'string' ? mi(base) : base, mi('T'));
export const delta = (name, step) => row(mi('δ'), sup(name, step));

function withTitle(node, v) {
  node.setAttribute('title', exact(v));
  return node;
}

// A vector written as a transposed row, to save height: [v0, v1, …]ᵀ. Every value has its exact
// form in a tooltip.
export function vector(values) {
  if (values.length === 1) return withTitle(mn(values[0]), values[0]);
  const items = values.slice(0, MAX_ROWS).flatMap((v, i) => (i ? [mo(','), withTitle(mn(v), v)] : [withTitle(mn(v), v)]));
  if (values.length > MAX_ROWS) items.push(mo(','), mo('…'));
  return el('msup', row(mo('['), ...items, mo(']')), mi('T'));
}
