// The day worker: streams a day's chunks from the API into columnar
// storage, groups them into threats and answers the page's view queries
// (filter, sort, page, stats, exports), so that the page only ever holds
// one page of rows.

import { ColumnStore } from './lib/columns.js';
import { decodeFrame, FrameReader } from './lib/frames.js';
import { Aggregator } from './lib/aggregate.js';
import { buildQuery, compile, direction, parse, QueryError } from './lib/query.js';
import { normTrail, SEV_NAMES } from './lib/threats.js';
import { toCSV, toIOCs, toJSON } from './lib/export.js';

// Past this many rows the page waits for the complete day rather than
// regrouping partial days as they stream in.
const PARTIAL_LIMIT = 100000;

let store = new ColumnStore();
let agg = null;
let result = null;
let dayStart = 0; // microseconds: the tenant's local midnight
let dayEnd = 0;
let generation = 0; // bumps on every (re)aggregation
let triage = new Map();
let triageVersion = 0;
let views = [];
let cached = { key: '', list: [] };
let loadID = 0;
let liveTimer = 0;

const post = (m) => self.postMessage(m);

self.onmessage = (e) => {
  const m = e.data;
  try {
    switch (m.op) {
      case 'load': load(m); break;
      case 'view': post({ op: 'view', seq: m.seq, ...view(m) }); break;
      case 'detail': post({ op: 'detail', seq: m.seq, detail: detail(m.uid) }); break;
      case 'triage':
        triage = new Map(m.list.map((t) => [t.threat, t]));
        triageVersion++;
        break;
      case 'live': live(m.events); break;
      case 'export': post({ op: 'export', seq: m.seq, ...exportView(m) }); break;
    }
  } catch (err) {
    post({ op: 'error', seq: m.seq, message: String(err && err.message || err) });
  }
};

function reset(startMs, endMs, expected) {
  // Sized for the day's count (when the calendar knows it): no regrowth.
  store = new ColumnStore(Math.min(expected || 0, 1 << 24));
  agg = new Aggregator(store);
  result = null;
  dayStart = startMs * 1000;
  dayEnd = endMs * 1000;
  views = [];
  cached = { key: '', list: [] };
}

function regroup() {
  result = agg.run(dayStart);
  views = new Array(result.threats.length);
  generation++;
  cached = { key: '', list: [] };
}

async function load(m) {
  const id = ++loadID;
  reset(m.dayStart, m.dayEnd, m.expected);
  const t0 = performance.now();
  let cursor = '', done = false, attempts = 0, firstByte = 0, lastSnap = t0, bytes = 0, parseMs = 0, appendMs = 0, partialMs = 0;
  while (!done) {
    const url = m.url + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
    let res;
    try {
      res = await fetch(url, { headers: { Authorization: 'Bearer ' + m.token } });
    } catch (err) {
      if (++attempts > 3) return post({ op: 'loadError', id, message: 'network error: ' + err.message });
      await new Promise((r) => setTimeout(r, 500 * attempts));
      continue;
    }
    if (res.status === 503 && ++attempts <= 3) {
      // The API is streaming as many days as it runs at once: wait a turn.
      await new Promise((r) => setTimeout(r, (Number(res.headers.get('Retry-After')) || 5) * 1000));
      continue;
    }
    if (!res.ok) {
      let msg = res.statusText;
      try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
      return post({ op: 'loadError', id, status: res.status, message: msg });
    }
    const reader = res.body.getReader();
    const frames = new FrameReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (id !== loadID) return reader.cancel();
        if (!firstByte) firstByte = performance.now() - t0;
        if (end) {
          // Every stream ends with its done frame (an empty day's too).
          if (!done) throw new Error(frames.pending() ? 'stream cut inside a chunk' : 'stream ended before its last chunk');
          break;
        }
        bytes += value.byteLength;
        frames.push(value);
        let f;
        while ((f = frames.next())) {
          const p0 = performance.now();
          const ch = decodeFrame(f);
          const p1 = performance.now();
          store.appendChunk(ch);
          attempts = 0; // progress: a later break may resume again
          parseMs += p1 - p0;
          appendMs += performance.now() - p1;
          cursor = ch.cursor;
          if (ch.done) done = true;
          post({ op: 'progress', id, loaded: store.n, expected: m.expected });
          const now = performance.now();
          if (!done && store.n <= PARTIAL_LIMIT && now - lastSnap > 800) {
            regroup();
            partialMs += performance.now() - now;
            lastSnap = performance.now();
            post({ op: 'partial', id, totals: totals() });
          }
        }
      }
    } catch (err) {
      if (id !== loadID) return;
      if (++attempts > 3) return post({ op: 'loadError', id, message: 'stream broken: ' + err.message });
      await new Promise((r) => setTimeout(r, 500 * attempts));
      continue; // resume from the last complete chunk's cursor
    }
  }
  const t1 = performance.now();
  regroup();
  const t2 = performance.now();
  post({
    op: 'loaded', id, totals: totals(),
    timing: { firstByte: Math.round(firstByte), stream: Math.round(t1 - t0), group: Math.round(t2 - t1),
      total: Math.round(t2 - t0), bytes, memory: store.bytes(), parse: Math.round(parseMs), append: Math.round(appendMs),
      partial: Math.round(partialMs) },
  });
}

function totals() {
  const t = result.totals;
  return { events: t.events, rows: t.rows, sources: t.sources, trails: t.trails, threats: result.threats.length,
    hours: Array.from(t.hours), sevEvents: Array.from(t.sevEvents), dropped: result.dropped };
}

const S = (id) => store.strings[id];
const list = (d) => {
  const a = [];
  for (const id of d.ids) a.push(S(id));
  if (d.capped) a.push('…');
  return a;
};

/** threatView is what the search language sees of a threat. */
function threatView(th) {
  let v = views[th.index];
  if (!v) {
    v = views[th.index] = {
      th, uid: th.uid, src: list(th.srcS), dst: list(th.dstS), sport: list(th.sportS), dport: list(th.dportS),
      proto: list(th.protoS), sensor: list(th.sensorS), type: S(th.type), trail: S(th.trail), info: S(th.info),
      ref: S(th.ref), sev: th.sev, count: th.count, cls: th.cls, dir: direction(S(th.src), S(th.dst)),
      status: 'new', tags: [], note: '', tv: -1, _hay: '',
      hay() {
        if (!this._hay) {
          this._hay = [this.uid, ...this.src, ...this.dst, ...this.sport, ...this.dport, ...this.proto,
            ...this.sensor, this.type, this.trail, this.info, this.ref, SEV_NAMES[this.sev], ...this.tags, this.note]
            .join(' ').toLowerCase();
        }
        return this._hay;
      },
    };
  }
  if (v.tv !== triageVersion) {
    const t = triage.get(th.uid);
    v.status = t ? t.status : 'new';
    v.tags = t ? t.tags : [];
    v.note = t ? t.notes : '';
    v.tv = triageVersion;
    v._hay = '';
  }
  return v;
}

const SORTS = {
  risk: (v) => v.th.risk, uid: (v) => v.uid, sensor: (v) => v.sensor[0] || '', count: (v) => v.count,
  first: (v) => v.th.first, last: (v) => v.th.last, src: (v) => v.src[0] || '', dst: (v) => v.dst[0] || '',
  port: (v) => Number(v.dport[0]) || 0, proto: (v) => v.proto[0] || '', type: (v) => v.type,
  trail: (v) => v.trail, info: (v) => v.info, status: (v) => v.status, sev: (v) => v.sev,
};

/** filtered returns the views matching the request, sorted (cached). */
function filtered(m) {
  const key = [generation, triageVersion, m.sev, m.sort, m.dir, buildQuery(m.chips || [], m.q || '')].join('\u0000');
  if (cached.key === key) return cached.list;
  const pred = compile(parse(buildQuery(m.chips || [], m.q || '')));
  const sev = Number(m.sev) || 0;
  const out = [];
  for (const th of result.threats) {
    if (sev && th.sev !== sev) continue;
    const v = threatView(th);
    if (pred(v)) out.push(v);
  }
  const get = SORTS[m.sort] || SORTS.risk;
  const sign = m.dir === 'asc' ? 1 : -1;
  out.sort((a, b) => {
    const x = get(a), y = get(b);
    if (x < y) return -sign;
    if (x > y) return sign;
    return b.th.risk - a.th.risk || (a.uid < b.uid ? -1 : 1);
  });
  cached = { key, list: out };
  return out;
}

/** summary is a threat as the grid and the exports show it. */
function summary(v, full) {
  const th = v.th;
  const cut = (a) => (full || a.length <= 8 ? a : a.slice(0, 8).concat('…'));
  return {
    uid: v.uid, kind: th.kind, sev: th.sev, risk: Math.round(th.risk), count: th.count, rows: th.rows,
    first: th.first / 1000, last: th.last / 1000, hours: Array.from(th.hours),
    src: cut(v.src), dst: cut(v.dst), sport: cut(v.sport), dport: cut(v.dport), proto: cut(v.proto),
    sensor: cut(v.sensor), nsrc: th.srcS.ids.size + (th.srcS.capped ? 1 : 0),
    type: v.type, trail: v.trail, info: v.info, ref: v.ref, cls: v.cls, dir: v.dir,
    status: v.status, tags: v.tags, note: v.note,
  };
}

function view(m) {
  if (!result) return { rows: [], total: 0, stats: null };
  let list;
  try {
    list = filtered(m);
  } catch (err) {
    if (err instanceof QueryError) return { error: err.message, pos: err.pos, rows: [], total: 0, stats: null };
    throw err;
  }
  const size = Math.max(1, Math.min(500, m.size || 50));
  const pages = Math.max(1, Math.ceil(list.length / size));
  const page = Math.min(Math.max(0, m.page || 0), pages - 1);
  const rows = list.slice(page * size, (page + 1) * size).map((v) => summary(v, false));
  const filteredOn = !!(m.q && m.q.trim()) || (m.chips && m.chips.length) || Number(m.sev);
  return { rows, total: list.length, page, pages, stats: stats(list, !filteredOn), all: result.threats.length };
}

/** stats summarises the threats for the cards and charts. */
function stats(list, exact) {
  const sevThreats = [0, 0, 0, 0], sevEvents = [0, 0, 0, 0];
  const sevHours = [null, new Array(24).fill(0), new Array(24).fill(0), new Array(24).fill(0)];
  const types = new Map(), srcs = new Map(), trails = new Map();
  let events = 0;
  for (const v of list) {
    const th = v.th;
    sevThreats[th.sev]++;
    sevEvents[th.sev] += th.count;
    events += th.count;
    const sh = sevHours[th.sev] || sevHours[2];
    for (let h = 0; h < 24; h++) sh[h] += th.hours[h];
    let ty = types.get(v.type);
    if (!ty) types.set(v.type, (ty = { n: 0, hours: new Array(24).fill(0) }));
    ty.n += th.count;
    for (let h = 0; h < 24; h++) ty.hours[h] += th.hours[h];
    const share = th.count / Math.max(1, th.srcS.ids.size);
    for (const id of th.srcS.ids) srcs.set(id, (srcs.get(id) || 0) + share);
    trails.set(th.nt, (trails.get(th.nt) || 0) + th.count);
  }
  const top = (m, k, name) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([id, n]) => ({ name: name(id), n: Math.round(n) }));
  const t = result.totals;
  return {
    threats: list.length, events, sevThreats, sevEvents, sevHours: sevHours.slice(1),
    sources: exact ? t.sources : srcs.size, trails: exact ? t.trails : trails.size,
    topThreats: list.slice().sort((a, b) => b.count - a.count).slice(0, 9).map((v) => ({ name: v.uid, label: v.trail, n: v.count })),
    types: [...types.entries()].sort((a, b) => b[1].n - a[1].n).map(([name, x]) => ({ name, n: x.n, hours: x.hours })),
    topSources: top(srcs, 14, S), topTrails: top(trails, 9, S),
  };
}

function findThreat(uid) {
  if (!result) return null;
  return result.threats.find((th) => th.uid === uid) || null;
}

function detail(uid) {
  const th = findThreat(uid);
  if (!th) return null;
  const v = threatView(th);
  const events = th.events.map((i) => {
    const r = store.row(i);
    r.time = r.time / 1000;
    return r;
  }).sort((a, b) => a.time - b.time);
  let sameSrc = 0, sameTrail = 0;
  for (const o of result.threats) {
    if (o === th) continue;
    if (o.src === th.src) sameSrc++;
    if (o.nt === th.nt) sameTrail++;
  }
  return { ...summary(v, true), events, eventsShown: events.length, sameSrc, sameTrail, nt: S(th.nt) };
}

function exportView(m) {
  const list = filtered(m).map((v) => summary(v, true));
  switch (m.format) {
    case 'csv': return { body: toCSV(list), type: 'text/csv', ext: 'csv' };
    case 'json': return { body: toJSON(list), type: 'application/json', ext: 'json' };
    case 'ioc': return { body: toIOCs(list, normTrail), type: 'text/plain', ext: 'txt' };
  }
  throw new Error('unknown export format ' + m.format);
}

/** live folds newly stored events of the open day in, regrouping at most once a second. */
function live(events) {
  if (!agg) return;
  let added = 0;
  for (const e of events) {
    const ts = (e.timestamp || 0) * 1e6;
    if (ts < dayStart || ts >= dayEnd) continue;
    store.appendEvent(e);
    added++;
  }
  if (!added || liveTimer) return;
  liveTimer = setTimeout(() => {
    liveTimer = 0;
    const before = new Set(result ? result.threats.map((t) => t.uid) : []);
    regroup();
    const fresh = result.threats.filter((t) => !before.has(t.uid));
    post({ op: 'updated', totals: totals(), fresh: fresh.map((t) => t.uid), freshHigh: fresh.filter((t) => t.sev === 3).length });
  }, 1000);
}
