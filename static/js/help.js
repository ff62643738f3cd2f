// "How to read this": each panel's "?" shows or hides its explanation (Esc closes them all).
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
