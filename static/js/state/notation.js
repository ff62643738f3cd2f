// The letters the page writes for the parameters: the textbook's U, W, b, V, c, or another
// text's, or PyTorch's (META.notations, from core.contract). It relabels only: every number
// stays the same.
import { el, mi } from '../blocks/mathml.js';
import { META } from './meta.js';

const BY_NAME = Object.fromEntries(META.notations.map((n) => [n.name, n]));
let current = BY_NAME[META.defaults.notation];

export const NOTATION_NAMES = META.notations.map((n) => n.name);
export function setNotation(name) { current = BY_NAME[name] ?? BY_NAME[META.defaults.notation]; }

// 'W' -> 'W_hh' in text; a name that is not a parameter stays as it is
export function P(name) {
  const label = current.params[name];
  if (!label) return name;
  return label.sub ? `${label.letter}_${label.sub}` : label.letter;
}

// The same in MathML; a block subscript (the GRU's U_n) joins the notation's own
export function paramML(name, block = '') {
  const label = current.params[name] ?? { letter: name, sub: '' };
  const index = [label.sub, block].filter(Boolean).join(',');
  return index ? el('msub', mi(label.letter), mi(index)) : mi(label.letter);
}

// The same into an SVG text: the subscript as a smaller, lowered tspan (W_hh takes the room of
// a short label, as the edges between the columns need)
export function svgLabel(text, name) {
  const label = current.params[name];
  text.text(label ? label.letter : name);
  if (label?.sub) text.append('tspan').attr('baseline-shift', 'sub').attr('font-size', '72%').text(label.sub);
}

// A formula written in the textbook's letters, in the current ones: each parameter standing
// alone ('W h', 'Wᵀ', 'U_n x') is renamed; letters inside words are left alone.
const TOKEN = /(?<![A-Za-zα-ωδ])(b_hn|U|W|V|b|c)(?![A-Za-z])/g;
export const relabel = (text) => (current.name === META.defaults.notation ? text : text.replace(TOKEN, (m) => P(m)));
