// The day stream's frames (api/chunkenc.go): two little-endian uint32
// lengths (header, body), a JSON header, then the body's columns as byte
// planes. FrameReader cuts frames out of the stream's reads; decodeFrame
// turns one into the chunk object ColumnStore.appendChunk takes.

const LENGTHS = 8;
const utf8 = new TextDecoder();
// A frame's header or body beyond this is a broken stream, not a chunk.
const MAX_PART = 1 << 30;

export class FrameReader {
  constructor() {
    this.buf = new Uint8Array(1 << 16);
    this.start = 0;
    this.end = 0;
  }

  /** push adds bytes read from the stream. */
  push(bytes) {
    if (this.end + bytes.length > this.buf.length) {
      const live = this.end - this.start;
      let buf = this.buf;
      if (live + bytes.length > buf.length) buf = new Uint8Array(Math.max(2 * buf.length, live + bytes.length));
      buf.set(this.buf.subarray(this.start, this.end));
      this.buf = buf;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /**
   * next returns the next whole frame as {header, body}, or null until more
   * bytes arrive. body is a view valid until the next push.
   */
  next() {
    const live = this.end - this.start;
    if (live < LENGTHS) return null;
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.start, LENGTHS);
    const h = dv.getUint32(0, true), b = dv.getUint32(4, true);
    if (h > MAX_PART || b > MAX_PART) throw new Error(`frame of ${h} + ${b} bytes`);
    if (live < LENGTHS + h + b) return null;
    const at = this.start + LENGTHS;
    const header = JSON.parse(utf8.decode(this.buf.subarray(at, at + h)));
    const body = this.buf.subarray(at + h, at + h + b);
    this.start = at + h + b;
    return { header, body };
  }

  /** pending is the number of bytes of an unfinished frame. */
  pending() {
    return this.end - this.start;
  }
}

/**
 * decodeFrame returns the frame's header with each listed column added
 * as an array of n numbers (Uint32Array, or Float64Array past 4 bytes).
 */
export function decodeFrame({ header, body }) {
  const n = header.n | 0;
  if (!(n >= 0) || !Array.isArray(header.columns)) throw new Error('frame header without n or columns');
  const ch = { ...header };
  let off = 0;
  for (const [name, w] of header.columns) {
    if (!(w >= 0 && w <= 8) || off + n * w > body.length) throw new Error(`column ${name}: ${w} bytes a value past the frame`);
    ch[name] = planes(body, off, n, w);
    off += n * w;
  }
  if (off !== body.length) throw new Error(`frame body of ${body.length} bytes, columns of ${off}`);
  return ch;
}

// planes reads n values of w bytes stored as w byte planes, lowest first.
function planes(b, off, n, w) {
  if (w > 4) {
    const out = new Float64Array(n);
    for (let k = w - 1; k >= 0; k--) {
      const p = off + k * n;
      for (let i = 0; i < n; i++) out[i] = out[i] * 256 + b[p + i];
    }
    return out;
  }
  const out = new Uint32Array(n);
  if (w > 0) out.set(b.subarray(off, off + n));
  for (let k = 1; k < w; k++) {
    const p = off + k * n, sh = 8 * k;
    for (let i = 0; i < n; i++) out[i] |= b[p + i] << sh;
  }
  return out;
}
