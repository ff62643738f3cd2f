// Number formatting shared by labels, tooltips, axes and equations: one way to write a number
// everywhere, with `digits` significant digits and ×10ⁿ outside [10⁻³, 10⁴).
const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
const superscript = (text) => String(text).replace(/[-0-9]/g, (ch) => SUPERSCRIPT[ch]);
const trimZeros = (mantissa) => (mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa);
const minus = (text) => text.replace(/^-/, '−');

export function formatNumber(v, digits = 6) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) {
    const [mantissa, exponent] = v.toExponential(digits - 1).split('e');
    return `${minus(trimZeros(mantissa))}×10${superscript(Number(exponent))}`;
  }
  if (Number.isInteger(v)) return minus(String(v));
  // toPrecision writes 234.5 to 2 digits as "2.3e+2": round to a whole number instead
  if (a >= 10 ** digits) return minus(String(Math.round(v)));
  return minus(trimZeros(v.toPrecision(digits)));
}

// The full value, for tooltips: 9 significant digits.
export const exact = (v) => formatNumber(v, 9);


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
export const sup = (index) => `⁽${superscript(index)}⁾`;

// Tick labels: two significant digits; on a log axis only the powers of ten are labelled, as 10ⁿ
// outside [10⁻³, 10⁴).
export function tickFormat({ log = false } = {}) {
  return (v) => {
    if (!log) return formatNumber(v, 2);
    const e = Math.log10(v);
    if (Math.abs(e - Math.round(e)) >= 1e-9) return '';
    const k = Math.round(e);
    // a power of ten alone, 10⁻⁴ rather than 1×10⁻⁴: short enough to leave the axis title room
    return k >= -3 && k < 4 ? formatNumber(10 ** k, 1) : `10${superscript(k)}`;
  };
}
