// The view a preset or a lesson step opens on, as a patch of the store for a model: 'last' is
// the last step with a loss, 'middle' the middle step; position is the player's ('end',
// 'forward-end', 'backward:t' when the backward pass has reached t, or a number). Keys the view
// leaves out stay as they are.
export function openingPatch(view, model) {
  if (!view) return {};
  const T = model.steps;
  const at = (v) => ({ last: model.sources.at(-1) ?? T - 1, middle: Math.floor((T - 1) / 2) }[v] ?? v);
  const patch = { colour: view.colour, param: view.param, step: at(view.step), source: at(view.source), flowpath: view.flowpath };
  const position = view.position;
  if (position !== undefined) {
    patch.position = position === 'end' ? 2 * T : position === 'forward-end' ? T - 1
      : String(position).startsWith('backward:') ? 2 * T - 1 - Number(position.slice(9)) : position;
  }
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}
