// The one shared highlight object, {param, step, source, pinned}, and who listens to it.
const d3 = window.d3;

export function createSelection(initial) {
  const events = d3.dispatch('change');
  let current = { param: 'W', step: 0, source: null, pinned: false, ...initial };
  return {
    get: () => current,
    set(patch) {
      current = { ...current, ...patch };
      events.call('change', null, current);
    },
    on: (name, fn) => events.on(name, fn),
  };
}
