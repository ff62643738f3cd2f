// One owner for the page's state. A declared table of fields (state.js) says how each is
// parsed and bounded from the URL and whether the URL carries it. set(patch) changes the
// state, tells each listener which keys changed, so a view redraws only for what it shows,
// and writes the URL once if a carried field changed: once the page is idle (a history write
// costs a few milliseconds, which the change's own frame and the next answer's drawing do not
// have), and once for every change made before then.

const URL_WRITE_WITHIN_MS = 500; // on a page that is never idle, the link is written this late at most

function parseSearch(fields, search) {
  const params = new URLSearchParams(search);
  const state = {};
  const rejected = [];
  for (const [name, field] of Object.entries(fields)) {
    const raw = field.url === false ? null : params.get(name);
    const parsed = raw === null ? undefined : field.parse(raw);
    if (raw !== null && parsed === undefined) rejected.push({ name, raw });
    state[name] = parsed === undefined ? field.initial : parsed;
  }
  return { state, rejected };
}

export function searchOf(fields, state) {
  const params = new URLSearchParams();
  for (const [name, field] of Object.entries(fields)) {
    const value = state[name];
    if (field.url === false || value === field.initial || value === null || value === undefined) continue;
    params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return params.toString();
}

export function createStore(fields, { search = window.location.search, history = window.history } = {}) {
  const { state, rejected } = parseSearch(fields, search);
  let current = state;
  const listeners = [];

  let writing = null;
  function writeURL() {
    writing = null;
    const query = searchOf(fields, current);
    history.replaceState(null, '', query ? `?${query}` : window.location.pathname);
  }
  function writeURLSoon() {
    writing ??= requestIdleCallback(writeURL, { timeout: URL_WRITE_WITHIN_MS });
  }
  // a page left before then still leaves its state in the link
  window.addEventListener('pagehide', () => { if (writing !== null) { cancelIdleCallback(writing); writeURL(); } });

  return {
    get: () => current,
    // Values the link carried that were refused (shown to the user; the defaults stand in).
    rejected,
    // Returns the set of keys that changed (empty: nothing happened, nobody is told).
    set(patch) {
      const changed = new Set(Object.keys(patch).filter((k) => !Object.is(patch[k], current[k])));
      if (!changed.size) return changed;
      current = { ...current, ...patch };
      if ([...changed].some((k) => fields[k] && fields[k].url !== false)) writeURLSoon();
      for (const { keys, fn } of listeners) {
        if (keys.some((k) => changed.has(k))) fn(current, changed);
      }
      return changed;
    },
    // Listeners run in the order they were added.
    on(keys, fn) { listeners.push({ keys, fn }); },
  };
}
