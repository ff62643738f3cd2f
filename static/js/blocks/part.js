// Elements kept from one drawing to the next. Setting an attribute or a text, even to the value
// it already has, makes the browser restyle and lay the element out again; a view that redraws
// with new numbers therefore keeps its elements, sets what never changes once (when an element
// is made), and sets a text only when it differs. Generic: knows nothing of RNNs.

// The child of `parent` (a one-element d3 selection) named `key`, made by make(selection) the
// first time it is asked for.
export function part(parent, tag, key, make) {
  const found = parent.selectChild((child) => child.dataset.part === key);
  if (!found.empty()) return found;
  const made = parent.append(tag).attr('data-part', key);
  make?.(made);
  return made;
}

// The selection's text, written only where it differs.
export function setText(selection, text) {
  return selection.each(function () { if (this.textContent !== text) this.textContent = text; });
}

// The selection's attribute `name`, written only where it differs (null removes it).
export function setAttr(selection, name, value) {
  const wanted = value === null ? null : String(value);
  return selection.each(function () {
    if (this.getAttribute(name) === wanted) return;
    if (wanted === null) this.removeAttribute(name); else this.setAttribute(name, wanted);
  });
}
