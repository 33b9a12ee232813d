// Columnar event storage for the worker: a day of a million events is a few
// typed arrays of string ids plus one interned copy of each distinct string,
// not a million JavaScript objects.

/** String columns of a chunk, in the API's order (api/chunkenc.go). */
export const STRING_COLUMNS = ['sensor', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'proto', 'type', 'trail',
  'info', 'reference', 'http_method', 'http_host', 'http_uri', 'http_user_agent', 'tls_sni', 'ja4', 'cert_sha1',
  'sensor_id'];

const INT_COLUMNS = { severity: Uint8Array, count: Uint32Array, dns_qtype: Uint16Array, dns_rcode: Uint8Array };

export class ColumnStore {
  constructor(capacity = 4096) {
    this.n = 0;
    this.cap = 0;
    this.strings = [''];
    this.ids = new Map([['', 0]]);
    this.ports = new Uint32Array(65536); // port number → string id, 0 until seen
    this.time = new Float64Array(0); // microseconds since the epoch
    this.idHi = new Uint32Array(0);
    this.idLo = new Uint32Array(0);
    this.str = {};
    this.int = {};
    for (const c of STRING_COLUMNS) this.str[c] = new Uint32Array(0);
    for (const c in INT_COLUMNS) this.int[c] = new INT_COLUMNS[c](0);
    this.grow(capacity);
  }

  /** intern returns the id of s, adding it if new. */
  intern(s) {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  grow(need) {
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2, 4096);
    const re = (a) => {
      const b = new a.constructor(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.time = re(this.time);
    this.idHi = re(this.idHi);
    this.idLo = re(this.idLo);
    for (const c of STRING_COLUMNS) this.str[c] = re(this.str[c]);
    for (const c in INT_COLUMNS) this.int[c] = re(this.int[c]);
    this.cap = cap;
  }

  /** appendChunk adds one decoded frame of the day stream (see frames.js). */
  appendChunk(ch) {
    const k = ch.n | 0;
    if (k === 0) return 0;
    const base = this.n;
    this.grow(base + k);
    // dict holds one section per string column (STRING_COLUMNS order),
    // then the IDs' batch parts; a column's local index j > 0 is its
    // section's j-th string, 0 is "".
    const secs = [];
    let off = 0;
    for (const m of ch.sections) {
      secs.push(off);
      off += m;
    }
    let t = ch.time0;
    const times = ch.time;
    for (let i = 0; i < k; i++) {
      t += times[i];
      this.time[base + i] = t;
    }
    // An ID is its batch part (11 hex digits in dict) and a 20-bit
    // position; each batch's digits are parsed once per chunk. A stream
    // asked for without IDs has neither column (the IDs stay 0).
    const batch = ch.id_batch, pos = ch.id_pos, batchOff = secs[STRING_COLUMNS.length] - 1;
    if (batch && pos) {
      const nb = ch.sections[STRING_COLUMNS.length], hi = new Uint32Array(nb + 1), mid = new Float64Array(nb + 1);
      for (let b = 1; b <= nb; b++) {
        const h = ch.dict[batchOff + b];
        hi[b] = parseInt(h.slice(0, 8), 16);
        mid[b] = parseInt(h.slice(8), 16) * 0x100000;
      }
      for (let i = 0; i < k; i++) {
        const b = batch[i];
        this.idHi[base + i] = hi[b];
        this.idLo[base + i] = mid[b] + pos[i];
      }
    } else {
      this.idHi.fill(0, base, base + k);
      this.idLo.fill(0, base, base + k);
    }
    const ports = new Set(ch.ports || []);
    STRING_COLUMNS.forEach((c, col) => {
      const src = ch[c], dst = this.str[c];
      if (!src) return;
      if (ports.has(c)) {
        // Port numbers (0 is ""), not local indices.
        for (let i = 0; i < k; i++) dst[base + i] = src[i] === 0 ? 0 : this.portID(src[i]);
        return;
      }
      const m = ch.sections[col], remap = new Uint32Array(m + 1);
      for (let j = 1; j <= m; j++) remap[j] = this.intern(ch.dict[secs[col] + j - 1]);
      remapInto(dst, base, remap, src, k);
    });
    for (const c in INT_COLUMNS) {
      const src = ch[c], dst = this.int[c];
      if (!src) continue;
      dst.set(src, base);
    }
    this.n = base + k;
    return k;
  }

  /** portID is the string id of port p's text. */
  portID(p) {
    let id = this.ports[p];
    if (id === 0) {
      id = this.intern(String(p));
      this.ports[p] = id;
    }
    return id;
  }

  /** appendEvent adds one event object (live tail: the API's event JSON). */
  appendEvent(e) {
    this.grow(this.n + 1);
    const i = this.n;
    const ts = typeof e.timestamp === 'number' ? e.timestamp * 1e6 : Date.parse(e.time) * 1000;
    this.time[i] = ts;
    this.idHi[i] = 0;
    this.idLo[i] = 0;
    for (const c of STRING_COLUMNS) {
      const v = e[c];
      this.str[c][i] = v === undefined || v === null || v === '-' ? 0 : this.intern(String(v));
    }
    const sev = { low: 1, medium: 2, high: 3 }[e.severity] || Number(e.severity) || 0;
    this.int.severity[i] = sev;
    this.int.count[i] = Math.max(1, Number(e.count) || 1);
    this.int.dns_qtype[i] = Number(e.dns_qtype) || 0;
    this.int.dns_rcode[i] = Number(e.dns_rcode) || 0;
    this.n = i + 1;
  }

  /** get returns field c of event i as a string. */
  get(c, i) {
    return this.strings[this.str[c][i]];
  }

  /** eventID is event i's id in hex, as the API prints it ('' when the stream had none). */
  eventID(i) {
    if (this.idHi[i] === 0 && this.idLo[i] === 0) return '';
    return this.idHi[i].toString(16).padStart(8, '0') + this.idLo[i].toString(16).padStart(8, '0');
  }

  /** row returns event i as a plain object (for the drawer and exports). */
  row(i) {
    const o = { id: this.eventID(i), time: this.time[i] };
    for (const c of STRING_COLUMNS) o[c] = this.get(c, i);
    for (const c in INT_COLUMNS) o[c] = this.int[c][i];
    return o;
  }

  /** bytes estimates the memory the columns hold. */
  bytes() {
    let b = this.cap * (8 + 8 + STRING_COLUMNS.length * 4 + 1 + 4 + 2 + 1);
    for (const s of this.strings) b += 16 + s.length * 2;
    return b;
  }
}

// remapInto sets dst[base+i] = remap[src[i]] for i < k: one small function
// the engine optimises once for every column, rather than a loop inside the
// per-column closure.
function remapInto(dst, base, remap, src, k) {
  for (let i = 0; i < k; i++) dst[base + i] = remap[src[i]];
}
