// The only module that talks to the server.
import { META } from '../state/meta.js';
import { MSGPACK, readMsgpack, readMsgpackParts } from './binary.js';

const inFlight = new Map(); // channel -> AbortController of its newest request

const RETRIES = 5; // a busy server (503) is asked again, after a growing, jittered pause
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(new DOMException('aborted', 'AbortError')); });
});

// Requests that have a GET form, cacheable by the browser and anything between (issue 15):
// the JSON in base64url, with the version so that a new release never reads an old answer.
const GETTABLE = new Set(['/api/v1/unfold']);
function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
// The page asks for MessagePack (binary.js) when its reader loaded, and reads whichever comes.
// The GET form names the format in its URL: a cache that ignores Vary cannot mix the two.
const BINARY = () => Boolean(globalThis.MessagePack);
function fetchOf(path, body, signal) {
  const json = JSON.stringify(body);
  const accept = BINARY() ? `${MSGPACK}, application/json;q=0.5` : 'application/json';
  if (GETTABLE.has(path)) {
    const q = base64url(json);
    if (q.length <= META.limits.query_chars) {
      const format = BINARY() ? '&format=msgpack' : '';
      return () => fetch(`${path}?q=${q}&v=${META.version}${format}`, { signal });
    }
  }
  return () => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: accept }, body: json, signal });
}

// What the network is drawn from ends with the gradients, the flows follow (app/service.py
// unfold_parts); a stack's answer (its config counts its layers) is drawn whole.
const drawn = (key, answer) => key === 'gradients' && answer.config !== undefined && !('layers' in answer.config);

// An answer's body, read as its Content-Type says: {data, first, later}, data null when it
// cannot be read. early: a MessagePack answer's data is what came before its flows, read as
// they arrive (the network is drawn from it), first resolves with the same object once all but
// its late sections are in, later once it is whole (binary.js readMsgpackParts).
async function read(response, early) {
  try {
    if (!response.headers.get('Content-Type')?.startsWith(MSGPACK)) return whole(await response.json());
    if (!early || !response.body) return whole(readMsgpack(await response.arrayBuffer()));
    const { drawable, first, whole: rest } = readMsgpackParts(response.body, META.late_sections, drawn); // app/settings.py
    return { data: await drawable, first: first.catch(cutShort), later: rest.catch(cutShort) };
  } catch {
    return { data: null, first: Promise.resolve(null), later: Promise.resolve(null) };
  }
}
const whole = (data) => ({ data, first: Promise.resolve(data), later: Promise.resolve(data) });

// The rest of an answer whose first part came did not (the connection ended): not a bug of ours.
function cutShort(error) {
  const cut = new Error(`the answer was cut off before it was whole (${error.message})`);
  cut.name = 'AnswerCutShort';
  throw cut;
}

// Resolves to {ok, status, data, arrived, parsed, first, later}: arrived and parsed are
// performance.now() when the answer's headers came and when its body was read (with early: the
// part the network is drawn from; first resolves with all but the late sections, later with the
// whole answer, each rejecting if it ends short). A newer call on the same channel
// aborts an older one; channels (the main view, the compare view) do not disturb each other.
// onBusy(attempt, waitMs) is told each time a busy server (503), or one whose connection failed,
// is asked again.
export async function askJSON(path, body, channel = 'main', { onBusy = () => {}, early = false } = {}) {
  inFlight.get(channel)?.abort();
  const controller = new AbortController();
  inFlight.set(channel, controller);
  try {
    const once = fetchOf(path, body, controller.signal);
    // An answer is a pure function of its request, so a connection that failed (a server worker
    // restarted under load, a reset) is asked again as a busy server is: bounded, after a
    // growing, jittered pause. null stands for a failed connection until the last attempt.
    const send = async (last) => {
      try {
        return await once();
      } catch (error) {
        if (error.name === 'AbortError' || last) throw error;
        return null;
      }
    };
    let response = await send(false);
    for (let attempt = 0; (response === null || response.status === 503) && attempt < RETRIES; attempt += 1) {
      const after = Number(response?.headers.get('Retry-After')) || 1;
      const wait = Math.min(after * 1000, 150 * 2 ** attempt) * (0.5 + Math.random());
      onBusy(attempt + 1, wait);
      await sleep(wait, controller.signal);
      response = await send(attempt === RETRIES - 1);
    }
    if (response === null) response = await send(true);
    const arrived = performance.now();
    const { data, first, later } = await read(response, early);
    return { ok: response.ok, status: response.status, data, arrived, parsed: performance.now(), first, later };
  } finally {
    if (inFlight.get(channel) === controller) inFlight.delete(channel);
  }
}

// A plain GET (a shipped checkpoint): its JSON, or null when the server refused it.
export async function getJSON(path) {
  const response = await fetch(path);
  return response.ok ? response.json() : null;
}
