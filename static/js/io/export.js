// Taking the view away: a panel as a self-contained SVG (its SVGs with their computed styles
// written inline, its canvases as images) or as a PNG of it; any data as a JSON file; the API
// request behind the view as a curl command.

// The properties that make an SVG look as it does on the page once the stylesheet is gone.
const STYLE_PROPERTIES = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray',
  'stroke-linecap', 'stroke-linejoin', 'opacity', 'font-family', 'font-size', 'font-weight', 'font-style',
  'text-anchor', 'dominant-baseline', 'visibility', 'display', 'paint-order', 'marker-end', 'marker-start'];
const SVG_NS = 'http://www.w3.org/2000/svg';
export const PNG_SCALE = 2; // a PNG has twice the page's pixels: sharp on a slide or a printout

// Written as presentation attributes (not a style attribute, which the page's CSP refuses).
function inlineStyles(source, copy) {
  const computed = window.getComputedStyle(source);
  for (const p of STYLE_PROPERTIES) copy.setAttribute(p, computed.getPropertyValue(p));
  for (let i = 0; i < source.children.length; i += 1) inlineStyles(source.children[i], copy.children[i]);
}

function visible(el) {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && window.getComputedStyle(el).visibility !== 'hidden';
}

// The HTML parts of a legend (its titles and colour swatches) as SVG text and rectangles.
function legendTexts(root) {
  const items = [];
  for (const el of root.querySelectorAll('.legend-title, .swatch')) {
    if (!visible(el)) continue;
    if (el.classList.contains('legend-title')) {
      items.push({ kind: 'text', box: el.getBoundingClientRect(), text: el.textContent, weight: 400 });
      continue;
    }
    const chip = el.querySelector('i');
    const label = el.querySelector('span');
    if (chip) items.push({ kind: 'rect', box: chip.getBoundingClientRect(), fill: getComputedStyle(chip).backgroundColor });
    if (label) items.push({ kind: 'text', box: label.getBoundingClientRect(), text: label.textContent, weight: 400 });
  }
  return items;
}

function appendLegend(doc, items, dx, dy) {
  for (const item of items) {
    const node = doc.appendChild(document.createElementNS(SVG_NS, item.kind));
    const x = item.box.left + dx;
    const y = item.box.top + dy;
    const attributes = item.kind === 'rect'
      ? { x, y, width: item.box.width, height: item.box.height, fill: item.fill, stroke: '#999', 'stroke-width': 0.5 }
      : { x, y: y + item.box.height * 0.8, 'font-family': 'system-ui, sans-serif', 'font-size': 12, fill: '#1d2327' };
    Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
    if (item.kind === 'text') node.textContent = item.text;
  }
}

// One SVG document of every svg and canvas inside container, each where it sits on the page
// (a scrolled panel is measured from its start, so a wide network comes out whole), and of the
// legends in `legends` (elements below it on the page): their bars, titles and swatches.
// `parts` says how many pictures it holds (0: the panel has drawn nothing yet).
export function panelSVG(container, { title = '', legends = [] } = {}) {
  const scroll = container.scrollLeft;
  container.scrollLeft = 0;
  const origin = container.getBoundingClientRect();
  const pictures = (root) => [...root.querySelectorAll('svg, canvas')]
    .filter((el) => !el.parentElement.closest('svg') && visible(el))
    .map((el) => ({ el, box: el.getBoundingClientRect() }));
  const parts = [container, ...legends].flatMap(pictures);
  const texts = legends.flatMap(legendTexts);
  container.scrollLeft = scroll;
  const pictured = parts.length;
  parts.push(...texts.map(({ box }) => ({ box, text: true })));
  const doc = document.createElementNS(SVG_NS, 'svg');
  const top = title ? 22 : 0;
  const width = Math.ceil(Math.max(1, ...parts.map(({ box }) => box.right - origin.left)));
  const height = Math.ceil(Math.max(1, ...parts.map(({ box }) => box.bottom - origin.top))) + top;
  doc.setAttribute('xmlns', SVG_NS);
  doc.setAttribute('width', width);
  doc.setAttribute('height', height);
  doc.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const background = doc.appendChild(document.createElementNS(SVG_NS, 'rect'));
  Object.entries({ width, height, fill: '#ffffff' }).forEach(([k, v]) => background.setAttribute(k, v));
  if (title) {
    const heading = doc.appendChild(document.createElementNS(SVG_NS, 'text'));
    Object.entries({ x: 6, y: 15, 'font-family': 'system-ui, sans-serif', 'font-size': 13, 'font-weight': 600 })
      .forEach(([k, v]) => heading.setAttribute(k, v));
    heading.textContent = title;
  }
  appendLegend(doc, texts, -origin.left, top - origin.top);
  for (const { el, box, text } of parts) {
    if (text) continue;
    const x = box.left - origin.left;
    const y = box.top - origin.top + top;
    if (el instanceof HTMLCanvasElement) {
      const image = doc.appendChild(document.createElementNS(SVG_NS, 'image'));
      Object.entries({ x, y, width: box.width, height: box.height, href: el.toDataURL('image/png') })
        .forEach(([k, v]) => image.setAttribute(k, v));
      continue;
    }
    const copy = el.cloneNode(true);
    inlineStyles(el, copy);
    copy.removeAttribute('class');
    copy.setAttribute('x', x);
    copy.setAttribute('y', y);
    copy.setAttribute('width', box.width);
    copy.setAttribute('height', box.height);
    doc.appendChild(copy);
  }
  return { text: new XMLSerializer().serializeToString(doc), width, height, parts: pictured };
}

// The SVG drawn onto a canvas at PNG_SCALE (an SVG without foreign content does not taint it).
export async function svgToPNG({ text, width, height }) {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * PNG_SCALE;
  canvas.height = height * PNG_SCALE;
  const context = canvas.getContext('2d');
  context.scale(PNG_SCALE, PNG_SCALE);
  context.drawImage(image, 0, 0, width, height);
  return new Promise((resolve) => { canvas.toBlob(resolve, 'image/png'); });
}

export function download(blob, filename) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export const jsonBlob = (data) => new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' });

// A shell command that sends exactly this request: the body in single quotes, any single quote
// in it closed, escaped and reopened, so nothing in a typed sequence is run by the shell.
export function curlCommand(path, body, origin = window.location.origin) {
  const quoted = `'${JSON.stringify(body).replaceAll("'", "'\\''")}'`;
  return `curl -s ${origin}${path} -H 'Content-Type: application/json' -d ${quoted}`;
}
