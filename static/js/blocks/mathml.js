// MathML built from text nodes only: every string becomes a text node, never markup.
import { formatNumber } from './format.js';

const NS = 'http://www.w3.org/1998/Math/MathML';

// el('mi', 'h') or el('mrow', child, child...)
export function el(tag, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}
export const mi = (s) => el('mi', s);
export const mo = (s) => el('mo', s);
export const mn = (v) => el('mn', formatNumber(v, 6));
export const row = (...children) => el('mrow', ...children);
// x^(t): a symbol (or node) with the step as a superscript in brackets
export const sup = (base, t) => el('msup', typeof base === 'string' ? mi(base) : base, row(mo('('), el('mn', String(t)), mo(')')));
// x_i: a symbol with a subscript
export const sub = (base, index) => el('msub', typeof base === 'string' ? mi(base) : base, mi(index));
export const transposed = (base) => el('msup', typeof base === 'string' ? mi(base) : base, mi('T'));
export const delta = (name, step) => row(mi('δ'), sup(name, step));
