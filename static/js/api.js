// The only module that talks to the server.
const inFlight = new Map(); // channel -> AbortController of its newest request

// Resolves to {ok, status, data, arrived, parsed}: arrived and parsed are performance.now()
// when the answer's headers came and when its JSON was read. A newer call on the same channel
// aborts an older one; channels (the main view, the compare view) do not disturb each other.
export async function postJSON(path, body, channel = 'main') {
  inFlight.get(channel)?.abort();
  const controller = new AbortController();
  inFlight.set(channel, controller);
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
    if (inFlight.get(channel) === controller) inFlight.delete(channel);
  }
}

export async function getJSON(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}
