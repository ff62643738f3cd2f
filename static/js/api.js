// The only module that talks to the server.
const inFlight = new Map(); // channel -> AbortController of its newest request

// Resolves to {ok, status, data, arrived, parsed}: arrived and parsed are performance.now()
// when the answer's headers came and when its JSON was read. A newer call on the same channel
// aborts an older one; channels (the main view, the compare view) do not disturb each other.
const RETRIES = 5; // a busy server (503) is asked again, after a growing, jittered pause
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(new DOMException('aborted', 'AbortError')); });
});

export async function postJSON(path, body, channel = 'main') {
  inFlight.get(channel)?.abort();
  const controller = new AbortController();
  inFlight.set(channel, controller);
  try {
    const send = () => fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    let response = await send();
    for (let attempt = 0; response.status === 503 && attempt < RETRIES; attempt += 1) {
      const after = Number(response.headers.get('Retry-After')) || 1;
      await sleep(Math.min(after * 1000, 150 * 2 ** attempt) * (0.5 + Math.random()), controller.signal);
      response = await send();
    }
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
