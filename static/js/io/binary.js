// Answers in MessagePack (issue 30): the server sends every float array as raw little-endian
// doubles (app/encoding.py, FLOAT_ARRAY), read here into the nested arrays a JSON answer gives,
// with null where a number is not finite, as JSON has it. No text to parse: a T = 1024 answer
// reads in a quarter of JSON.parse's time.
const FLOAT_ARRAY = 1;
export const MSGPACK = 'application/msgpack';

// [offset][ndim][shape, uint32 each][zeros][float64 data]; offset counts from after itself. The
// numbers are read where they lie (a DataView needs no alignment): no copy of the array is made.
function floatArray(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = bytes[1];
  const shape = Array.from({ length: ndim }, (_, k) => view.getUint32(2 + 4 * k, true));
  const start = 1 + bytes[0];
  return ndim === 0 ? finite(view.getFloat64(start, true)) : nested(view, shape, start, 0);
}

const finite = (value) => (Number.isFinite(value) ? value : null);

// the numbers from byte `at` of view, as arrays nested by shape (from dimension dim on)
function nested(view, shape, at, dim) {
  const n = shape[dim];
  const out = new Array(n);
  if (dim === shape.length - 1) {
    for (let i = 0; i < n; i += 1) out[i] = finite(view.getFloat64(at + 8 * i, true));
    return out;
  }
  let stride = 8;
  for (let k = dim + 1; k < shape.length; k += 1) stride *= shape[k];
  for (let i = 0; i < n; i += 1) out[i] = nested(view, shape, at + i * stride, dim + 1);
  return out;
}

let codec = null;
function options() {
  if (codec === null) {
    codec = new globalThis.MessagePack.ExtensionCodec();
    codec.register({ type: FLOAT_ARRAY, encode: () => null, decode: floatArray });
  }
  return { extensionCodec: codec };
}

export function readMsgpack(buffer) {
  return globalThis.MessagePack.decode(new Uint8Array(buffer), options());
}

// An answer (one MessagePack map) read as it arrives, each entry decoded once it is whole:
// drawable resolves with the answer's object once the entry for which drawn(key, answer so far)
// is true is in (the network is drawn from what comes up to it: the flows follow, read once the
// page has painted it), first with the same object once every entry but the late sections is in
// (those of `late` that its config.include names: they come last), whole once the rest is added.
// Each rejects if the body ends before it.
export function readMsgpackParts(stream, late = [], drawn = () => false) {
  let [ready, early, failed, failedEarly] = [];
  const drawable = new Promise((resolve, reject) => { ready = resolve; failedEarly = reject; });
  const first = new Promise((resolve, reject) => { early = resolve; failed = reject; });
  const whole = (async () => {
    const reader = stream.getReader();
    const answer = {};
    let bytes = new Uint8Array(1 << 20);
    let [length, at, size, read, upTo] = [0, 0, null, 0, Infinity]; // upTo: the entries before the late ones
    let wanted = 0; // the bytes the entry being read needs, from `at`, once its head says so
    const append = (chunk) => {
      if (length + chunk.length > bytes.length) { // what was read dropped; grown to what the entry needs when it is known
        const keep = length - at;
        const size = Math.max(keep + chunk.length, wanted);
        if (2 * size <= bytes.length) bytes.copyWithin(0, at, length);
        else {
          const grown = new Uint8Array(Math.max(size, 2 * (keep + chunk.length))); // doubling: linear in the body
          grown.set(bytes.subarray(at, length));
          bytes = grown;
        }
        [length, at] = [keep, 0];
      }
      bytes.set(chunk, length);
      length += chunk.length;
    };
    const take = () => {
      if (size === null) {
        size = mapSize(bytes, at, length);
        if (size === null) return;
        at += bytes[at] === 0xde ? 3 : bytes[at] === 0xdf ? 5 : 1;
      }
      while (read < size) {
        const keyEnd = endOf(bytes, at, length);
        const valueEnd = keyEnd < 0 ? keyEnd : endOf(bytes, keyEnd, length);
        if (valueEnd < 0) { wanted = -valueEnd - 1 - at; return; }
        const key = globalThis.MessagePack.decode(bytes.subarray(at, keyEnd));
        answer[key] = globalThis.MessagePack.decode(bytes.subarray(keyEnd, valueEnd), options());
        [at, read, wanted] = [valueEnd, read + 1, 0]; // the next entry's needs are its own
        if (key === 'config') upTo = size - late.filter((name) => answer.config?.include?.includes(name)).length;
        if (read === upTo) { ready(answer); early(answer); }
        else if (drawn(key, answer)) { ready(answer); return true; } // the rest after the page has drawn from it
      }
      return false;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      append(value);
      while (take()) await afterPaint(); // then on with the bytes already here
    }
    if (size === null || read < size) throw new Error('the answer ended before it was whole');
    ready(answer);
    early(answer);
    return answer;
  })();
  whole.catch((error) => { failedEarly(error); failed(error); }); // one that has resolved stays so
  for (const part of [drawable, first]) part.catch(() => {}); // left unread, its failure is no unhandled rejection
  return { drawable, first, whole };
}

// Once the page has painted what it drew in this task (a frame, then a task after it; a hidden
// page, which paints no frame, waits PAINT_WAIT_MS at most).
const PAINT_WAIT_MS = 100;
const afterPaint = () => new Promise((resolve) => {
  const timer = setTimeout(resolve, PAINT_WAIT_MS);
  requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); resolve(); }, 0));
});

// The number of entries of the map that starts at bytes[at], or null until its header is in.
function mapSize(bytes, at, length) {
  if (at >= length) return null;
  const head = bytes[at];
  if (head >= 0x80 && head <= 0x8f) return head & 0x0f;
  const wide = { 0xde: 2, 0xdf: 4 }[head];
  if (!wide) throw new Error('the answer is not a MessagePack map');
  return at + 1 + wide > length ? null : readUint(bytes, at + 1, wide);
}

const readUint = (bytes, at, n) => {
  let value = 0;
  for (let k = 0; k < n; k += 1) value = value * 256 + bytes[at + k];
  return value;
};

// MessagePack's head bytes beyond the fix-sized ones (msgpack.org, the spec): those of a fixed
// size (in bytes, the head included), those with a length ([bytes of the length, bytes between it
// and the content]: an extension's type) and the containers ([bytes of the count, items a count]).
const FIXED = { 0xc0: 1, 0xc2: 1, 0xc3: 1, 0xca: 5, 0xcb: 9, 0xcc: 2, 0xcd: 3, 0xce: 5, 0xcf: 9, 0xd0: 2, 0xd1: 3,
  0xd2: 5, 0xd3: 9, 0xd4: 3, 0xd5: 4, 0xd6: 6, 0xd7: 10, 0xd8: 18 };
const SIZED = { 0xc4: [1, 0], 0xc5: [2, 0], 0xc6: [4, 0], 0xc7: [1, 1], 0xc8: [2, 1], 0xc9: [4, 1], 0xd9: [1, 0],
  0xda: [2, 0], 0xdb: [4, 0] };
const COUNTED = { 0xdc: [2, 1], 0xdd: [4, 1], 0xde: [2, 2], 0xdf: [4, 2] };

// Where the MessagePack value that starts at bytes[at] ends; while it is not whole, -1 - the
// length the bytes must reach at least (what its heads read so far say). Its bytes are only
// walked: a string, a binary or an extension is stepped over by its length.
function endOf(bytes, at, length) {
  let items = 1; // still to step over
  while (items > 0) {
    if (at >= length) return -1 - (at + 1);
    const head = bytes[at];
    let [own, holds] = [1, 0]; // this item's own bytes, and the items it holds
    if (head <= 0x7f || head >= 0xe0) own = 1; // a fixint
    else if (head <= 0x8f) holds = 2 * (head & 0x0f); // a fixmap
    else if (head <= 0x9f) holds = head & 0x0f; // a fixarray
    else if (head <= 0xbf) own = 1 + (head & 0x1f); // a fixstr
    else if (FIXED[head]) own = FIXED[head];
    else if (SIZED[head] || COUNTED[head]) {
      const [wide, extra] = SIZED[head] ?? COUNTED[head];
      if (at + 1 + wide > length) return -1 - (at + 1 + wide);
      const n = readUint(bytes, at + 1, wide);
      if (SIZED[head]) own = 1 + wide + extra + n;
      else [own, holds] = [1 + wide, extra * n];
    } else throw new Error(`not MessagePack: byte 0x${head.toString(16)}`);
    at += own;
    items += holds - 1;
  }
  return at <= length ? at : -1 - at;
}
