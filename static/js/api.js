// The only module that talks to the server.
let inFlight = null;

// Resolves to {ok, status, data, arrived, parsed}: arrived and parsed are performance.now()
// when the answer's headers came and when its JSON was read. A newer call aborts an older one.
export async function postJSON(path, body) {
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  try {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const arrived = performance.now();
    const data = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, data, arrived, parsed: performance.now() };
  } finally {
    if (inFlight === controller) inFlight = null;
  }
}

export async function getJSON(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}
