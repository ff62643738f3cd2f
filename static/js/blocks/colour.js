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
