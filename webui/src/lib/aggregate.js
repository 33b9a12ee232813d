// Grouping of a day's events into threats, over a ColumnStore.

import {
  FLOOD_SOURCES, KIND_FLOOD, classOf, infoFlags, isHeuristicRef, normTrail, riskScore, severityOf,
  threatKeyText, threatKind, threatUID,
} from './threats.js';

/** Per threat and column, at most this many distinct values are kept. */
export const MAX_DISTINCT = 100;
/** Per threat, the raw events kept for the drawer. */
export const MAX_THREAT_EVENTS = 500;
/** Hard ceiling on threats, against pathological days. */
export const MAX_THREATS = 200000;

const HOUR_US = 3600e6;
const DAY_US = 24 * HOUR_US;

const ID_SPAN = 2 ** 22;

/**
 * pair packs a threat kind and two string ids into one exact number
 * (below 2^53); ids past 2^22 fall back to a string key.
 */
function pair(kind, a, b) {
  if (a >= ID_SPAN || b >= ID_SPAN) return kind + ':' + a + ',' + b;
  return (kind * ID_SPAN + a) * ID_SPAN + b;
}

/** A set of distinct string ids, capped at MAX_DISTINCT. */
class Distinct {
  constructor() {
    this.ids = new Set();
    this.capped = false;
    this.last = -1; // most threats repeat one value: skip the set then
  }
  add(id, parts) {
    if (id === this.last || this.capped || id === 0) return;
    this.last = id;
    const list = parts(id);
    if (list === null) {
      if (this.ids.has(id)) return;
      if (this.ids.size >= MAX_DISTINCT) {
        this.capped = true;
        return;
      }
      this.ids.add(id);
      return;
    }
    for (const p of list) {
      if (this.ids.has(p)) continue;
      if (this.ids.size >= MAX_DISTINCT) {
        this.capped = true;
        return;
      }
      this.ids.add(p);
    }
  }
}

/**
 * Aggregator keeps per-string derived facts (normalised trail, flags,
 * condensed parts) so that each event costs a few array reads, and groups
 * a ColumnStore's events into threats.
 */
export class Aggregator {
  constructor(store) {
    this.s = store;
    this.nt = new Int32Array(0); // trail id → normalised trail id (+1; 0 = not computed)
    this.flags = new Int8Array(0); // info id → infoFlags + 4 (0 = not computed)
    this.heur = new Int8Array(0); // reference id → 1 heuristic, 2 not (0 = not computed)
    this.comma = new Int8Array(0); // string id → 1 condensed "a,b", 2 plain (0 = not computed)
    this.partsCache = new Map();
  }

  ensure() {
    const m = this.s.strings.length;
    if (this.nt.length >= m) return;
    const cap = Math.max(m, this.nt.length * 2);
    const grow = (a) => {
      const b = new a.constructor(cap);
      b.set(a);
      return b;
    };
    this.nt = grow(this.nt);
    this.flags = grow(this.flags);
    this.heur = grow(this.heur);
    this.comma = grow(this.comma);
  }

  ntOf(trail) {
    let v = this.nt[trail];
    if (v === 0) {
      this.ensure();
      v = this.s.intern(normTrail(this.s.strings[trail])) + 1;
      this.ensure();
      this.nt[trail] = v;
    }
    return v - 1;
  }

  flagsOf(info) {
    let v = this.flags[info];
    if (v === 0) this.flags[info] = v = infoFlags(this.s.strings[info]) + 4;
    return v - 4;
  }

  heurOf(ref) {
    let v = this.heur[ref];
    if (v === 0) this.heur[ref] = v = isHeuristicRef(this.s.strings[ref]) ? 1 : 2;
    return v === 1;
  }

  /** parts splits condensed "a,b" values; null for a plain value. */
  parts = (id) => {
    if (id >= this.comma.length) this.ensure();
    let c = this.comma[id];
    if (c === 0) this.comma[id] = c = this.s.strings[id].indexOf(',') < 0 ? 2 : 1;
    if (c === 2) return null;
    let p = this.partsCache.get(id);
    if (!p) {
      p = this.s.strings[id].split(',').filter(Boolean).map((x) => this.s.intern(x));
      this.partsCache.set(id, p);
    }
    return p;
  };

  /**
   * run groups events [0, n) into threats. dayStart is the day's first
   * microsecond (hours are counted from it).
   */
  run(dayStart) {
    const s = this.s, n = s.n;
    this.ensure();
    const trail = s.str.trail, src = s.str.src_ip, info = s.str.info, ref = s.str.reference;
    const sev = s.int.severity, cnt = s.int.count, time = s.time;

    // Pass 1: floods, a normalised trail seen from more than FLOOD_SOURCES sources.
    const ntCol = new Uint32Array(n);
    const srcsByTrail = new Map();
    const flood = new Set();
    for (let i = 0; i < n; i++) {
      const t = this.ntOf(trail[i]);
      ntCol[i] = t;
      if (flood.has(t)) continue;
      let set = srcsByTrail.get(t);
      if (!set) srcsByTrail.set(t, (set = new Set()));
      set.add(src[i]);
      if (set.size > FLOOD_SOURCES) {
        flood.add(t);
        srcsByTrail.delete(t);
      }
    }
    this.ensure();

    // Pass 2: threats.
    const byKey = new Map();
    const threats = [];
    const threatOf = new Int32Array(n);
    let dropped = 0;
    const hours = new Float64Array(24);
    const sevEvents = new Float64Array(4);
    const seen = new Uint8Array(s.strings.length); // bit 1: a source, bit 2: a normalised trail
    let sources = 0, trailsN = 0;
    let events = 0;
    for (let i = 0; i < n; i++) {
      const nt = ntCol[i];
      const kind = threatKind(this.flagsOf(info[i]), flood.has(nt));
      const heur = kind === 0 && this.heurOf(ref[i]);
      // Numeric keys (kind, id, id) where they fit: a million string keys
      // cost more than the rest of the grouping.
      let key;
      switch (kind) {
        case 1: key = pair(1, info[i], nt); break;
        case 2: key = pair(2, 0, nt); break;
        case 3: key = pair(3, src[i], info[i]); break;
        default: key = heur ? 'h' + src[i] + ',' + nt + ',' + info[i] : pair(0, src[i], nt);
      }
      let ti = byKey.get(key);
      if (ti === undefined) {
        if (threats.length >= MAX_THREATS) {
          dropped++;
          threatOf[i] = -1;
          continue;
        }
        ti = threats.length;
        byKey.set(key, ti);
        threats.push(this.newThreat(ti, i, kind, heur, nt));
      }
      threatOf[i] = ti;
      const th = threats[ti];
      const c = cnt[i] || 1;
      const ts = time[i];
      let h = Math.floor((ts - dayStart) / HOUR_US);
      if (h < 0 || ts - dayStart >= DAY_US) h = h < 0 ? 0 : 23;
      th.count += c;
      th.rows++;
      th.hours[h] += c;
      if (ts < th.first) th.first = ts;
      if (ts > th.last) th.last = ts;
      const es = sev[i] || severityOf(s.strings[info[i]], s.strings[ref[i]]);
      if (es > th.sev) th.sev = es;
      th.srcS.add(src[i], this.parts);
      th.sportS.add(s.str.src_port[i], this.parts);
      th.dstS.add(s.str.dst_ip[i], this.parts);
      th.dportS.add(s.str.dst_port[i], this.parts);
      th.protoS.add(s.str.proto[i], this.parts);
      th.sensorS.add(s.str.sensor[i], this.parts);
      if (th.events.length < MAX_THREAT_EVENTS) th.events.push(i);
      events += c;
      hours[h] += c;
      sevEvents[es] += c;
      const si = src[i];
      if (!(seen[si] & 1)) { seen[si] |= 1; sources++; }
      if (!(seen[nt] & 2)) { seen[nt] |= 2; trailsN++; }
    }
    for (const th of threats) {
      const infoStr = s.strings[th.info];
      th.risk = riskScore(th.sev, infoStr, th.count);
      th.cls = classOf(infoStr);
    }
    return {
      threats, threatOf, dropped, flood,
      totals: { events, rows: n, sources, trails: trailsN, hours, sevEvents },
    };
  }

  newThreat(index, i, kind, heur, nt) {
    const s = this.s;
    const srcS = s.strings[s.str.src_ip[i]];
    const infoS = s.strings[s.str.info[i]];
    const text = threatKeyText(kind, srcS, s.strings[nt], infoS, heur);
    return {
      index, rep: i, kind, nt, uid: threatUID(text, kind), flood: kind === KIND_FLOOD,
      src: s.str.src_ip[i], dst: s.str.dst_ip[i], sport: s.str.src_port[i], dport: s.str.dst_port[i],
      proto: s.str.proto[i], type: s.str.type[i], trail: s.str.trail[i], info: s.str.info[i],
      ref: s.str.reference[i], sensor: s.str.sensor[i],
      count: 0, rows: 0, first: Infinity, last: -Infinity, hours: new Float64Array(24), sev: 0, risk: 0, cls: '',
      srcS: new Distinct(), sportS: new Distinct(), dstS: new Distinct(), dportS: new Distinct(),
      protoS: new Distinct(), sensorS: new Distinct(), events: [],
    };
  }
}
