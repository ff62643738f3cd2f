// "How to read this": each panel's "?" shows or hides its explanation (Esc closes them all).
import { relabel } from '../state/notation.js';

// The explanations are written in the textbook's letters; another notation renames the
// parameters in them as everywhere else (their text only: the markup stays as it is).
const written = new WeakMap();
export function relabelHelp(root = document) {
  for (const help of root.querySelectorAll('.panel-help')) {
    const walker = document.createTreeWalker(help, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!written.has(node)) written.set(node, node.textContent);
      node.textContent = relabel(written.get(node));
    }
  }
}

export function setupHelp(root = document) {
  const toggle = (button, open) => {
    button.setAttribute('aria-expanded', String(open));
    document.getElementById(button.getAttribute('aria-controls')).hidden = !open;
  };
  root.addEventListener('click', (event) => {
    const button = event.target.closest('.help-toggle');
    if (button) toggle(button, button.getAttribute('aria-expanded') !== 'true');
  });
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') root.querySelectorAll('.help-toggle[aria-expanded="true"]').forEach((b) => toggle(b, false));
  });
}
