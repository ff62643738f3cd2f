// Number formatting shared by labels, tooltips and equations.
export function exact(v) {
  return Number.isInteger(v) ? String(v) : v.toPrecision(9).replace(/\.?0+(e|$)/, '$1');
}

export function short(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

export function maxAbs(arrays) {
  let m = 0;
  for (const row of arrays) for (const v of row) { const a = Math.abs(v); if (a > m) m = a; }
  return m;
}

// Shows a character so that spaces and line breaks are visible.
export function visibleChar(ch) {
  return ({ ' ': '␣', '\n': '↵', '\t': '⇥' })[ch] ?? ch;
}

// Step indices as superscripts, the way the equations write them: sup(3) = '⁽³⁾', sup('2←5') = '⁽²←⁵⁾'.
const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
export function sup(index) {
  return `⁽${String(index).replace(/[-0-9]/g, (ch) => SUPERSCRIPT[ch])}⁾`;
}
