// One row of RGBA pixels as a PNG data URL, written directly. Generic: knows nothing of RNNs.
//
// A strip's image is one short row of pixels; canvas.toDataURL compresses it with deflate, and
// a drawing with a hundred strips spent most of their time there. A row this short needs no
// compression: the bytes go in one stored (uncompressed) deflate block, which every PNG
// decoder reads.

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes, start, end) {
  let c = 0xffffffff;
  for (let i = start; i < end; i += 1) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes, start, end) {
  let a = 1;
  let b = 0;
  for (let i = start; i < end; i += 1) {
    a = (a + bytes[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// pixels: width * 4 bytes (RGBA, not premultiplied); at most 16,383 pixels (one stored block).
export function rowPNG(pixels, width) {
  const raw = 1 + 4 * width; // the row's filter byte (0: none), then its pixels
  if (raw > 0xffff) throw new RangeError('rowPNG: a row of at most 16,383 pixels');
  const idat = 2 + 5 + raw + 4; // zlib header, the stored block's header, the row, Adler-32
  const out = new Uint8Array(8 + (12 + 13) + (12 + idat) + 12);
  const view = new DataView(out.buffer);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  const chunk = (type, length, write) => {
    view.setUint32(at, length);
    for (let i = 0; i < 4; i += 1) out[at + 4 + i] = type.charCodeAt(i);
    write(at + 8);
    view.setUint32(at + 8 + length, crc32(out, at + 4, at + 8 + length));
    at += 12 + length;
  };
  chunk('IHDR', 13, (p) => {
    view.setUint32(p, width);
    view.setUint32(p + 4, 1);
    out.set([8, 6, 0, 0, 0], p + 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  });
  chunk('IDAT', idat, (p) => {
    out.set([0x78, 0x01, 0x01, raw & 0xff, raw >> 8, ~raw & 0xff, (~raw >> 8) & 0xff], p);
    out[p + 7] = 0; // filter: none
    out.set(pixels.subarray(0, 4 * width), p + 8);
    view.setUint32(p + 7 + raw, adler32(out, p + 7, p + 7 + raw));
  });
  chunk('IEND', 0, () => {});
  let binary = '';
  for (let i = 0; i < out.length; i += 0x8000) binary += String.fromCharCode(...out.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}
