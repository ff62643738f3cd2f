// CSS colours as RGBA bytes, for painting pixels directly: each distinct string is parsed once.
const d3 = window.d3;
const bytes = new Map();

export function rgba(css) {
  let c = bytes.get(css);
  if (!c) {
    const { r, g, b, opacity } = d3.color(css).rgb();
    c = [r, g, b, Math.round(255 * opacity)];
    if (bytes.size > 50000) bytes.clear();
    bytes.set(css, c);
  }
  return c;
}

// A sequential log scale's colours as RGBA bytes from a table of `levels` bins of its range:
// a matrix of tens of thousands of cells then costs a logarithm and a lookup a cell, not a
// colour string made and parsed. With levels a multiple of 256, a 256-colour scheme (d3's
// viridis) gets each cell's own colour exactly: every bin lies within one of its colours.
export function logScaleBytes(scale, levels = 1024) {
  const [lo, hi] = scale.domain().map(Math.log);
  const span = hi - lo || 1;
  const table = d3.range(levels).map((i) => rgba(scale(Math.exp(lo + ((i + 0.5) / levels) * span))));
  return (v) => table[Math.max(0, Math.min(levels - 1, Math.floor(((Math.log(v) - lo) / span) * levels)))];
}
