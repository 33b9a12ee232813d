// Unit tests of the console's pure logic, run in Chromium by
// TestJavaScriptUnits (webui/unit_test.go). Each case throws on failure
// with "got X, want Y".

import { murmur3, normTrail, threatUID, threatKind, severityOf, riskScore, classOf, KIND_FLOOD, KIND_DGA, KIND_DNSX, KIND_PLAIN } from '../src/lib/threats.js';
import { parse, compile, tokenize, buildQuery, chipFor, QueryError, direction } from '../src/lib/query.js';
import { parseIP, parseCIDR, inCIDR, isPrivate } from '../src/lib/ip.js';
import { ColumnStore, STRING_COLUMNS } from '../src/lib/columns.js';
import { decodeFrame, FrameReader } from '../src/lib/frames.js';
import { Aggregator } from '../src/lib/aggregate.js';
import { toCSV, csvCell, defang, toIOCs } from '../src/lib/export.js';
import { parseSSE } from '../src/live.js';
import { dayStartMs, localDay, clock, validZone } from '../src/lib/zone.js';

export const cases = [];
const test = (name, fn) => cases.push([name, fn]);
const eq = (got, want, what = '') => {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what ? what + ': ' : ''}got ${g}, want ${w}`);
};
const throws = (fn, re, what) => {
  try {
    fn();
  } catch (err) {
    if (re && !re.test(err.message)) throw new Error(`${what}: got error "${err.message}", want ${re}`);
    return err;
  }
  throw new Error(`${what}: got no error, want one`);
};

// --- threats.js
test('murmur3 reference vectors', () => {
  // Published MurmurHash3_x86_32 vectors.
  eq(murmur3('', 0), 0, 'empty seed 0');
  eq(murmur3('', 1), 0x514e28b7, 'empty seed 1');
  eq(murmur3('hello', 0), 0x248bfa47, 'hello');
  eq(murmur3('The quick brown fox jumps over the lazy dog', 0), 0x2e4ff723, 'fox');
  eq(murmur3('abc', 0), 0xb3dd93fa, 'abc (3-byte tail)');
  eq(murmur3('ab', 0), 0x9bbfd75f, 'ab');
  eq(murmur3('a', 0), 0x3c2569b2, 'a');
});
test('threat UIDs: 8 hex, or 6 hex and a kind suffix', () => {
  const u = threatUID('10.0.0.1~>evil.example', KIND_PLAIN);
  eq(/^[0-9a-f]{8}$/.test(u), true, u);
  eq(threatUID('...~>evil.example', KIND_FLOOD), murmur3('...~>evil.example', 13).toString(16).padStart(8, '0').slice(0, 6) + 'F0');
  eq(threatUID('x', KIND_DGA).endsWith('D0'), true);
  eq(threatUID('x', KIND_DNSX).endsWith('N0'), true);
});
test('normTrail', () => {
  for (const [in_, want] of [['(abc,def).evil.com', 'evil.com'], ['evil.com', 'evil.com'], [' .x.example. ', 'x.example'],
    ['1.2.3.4 (foo.example)', '1.2.3.4'], ['(qxz).com', 'com'], ['a(b)c', 'ac']]) eq(normTrail(in_), want, in_);
});
test('threat kinds: exhaustion before flood before DGA', () => {
  eq(threatKind(1, true), KIND_DNSX);
  eq(threatKind(2, true), KIND_FLOOD);
  eq(threatKind(2, false), KIND_DGA);
  eq(threatKind(0, false), KIND_PLAIN);
});
test('severityOf', () => {
  for (const [info, ref, want] of [['zeus (malware)', '(static)', 3], ['anything', '(custom)', 3], ['mass scanner', '(static)', 1],
    ['potential malware site', '(static)', 2], ['malware distribution', 'x', 2], ['known attacker', 'x', 1], ['dynamic domain (suspicious)', 'x', 2]]) {
    eq(severityOf(info, ref), want, info);
  }
});
test('riskScore orders by severity, then keywords, then volume', () => {
  const hiC2 = riskScore(3, 'cobalt strike (malware)', 10), hiPlain = riskScore(3, 'something', 10);
  const lowScan = riskScore(1, 'mass scanner', 100000), med = riskScore(2, 'suspicious thing', 1);
  eq(hiC2 > hiPlain, true, 'c2 keyword');
  eq(med > lowScan, true, 'severity dominates volume');
  eq(riskScore(2, 'x', 1000) > riskScore(2, 'x', 10), true, 'volume');
});
test('classOf', () => {
  eq(classOf('zeus (malware)'), 'malware');
  eq(classOf('x (Suspicious)'), 'suspicious');
  eq(classOf('known attacker'), '');
});

// --- ip.js
test('IP parsing and CIDR', () => {
  eq(parseIP('10.1.2.3'), [0x0a01, 0x0203]);
  eq(parseIP('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  eq(parseIP('2001:db8::ff00:42:8329').length, 8);
  eq(parseIP('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  for (const bad of ['1.2.3', '1.2.3.256', 'x', '1::2::3', '12345::', '']) eq(parseIP(bad), null, bad);
  eq(inCIDR('10.1.200.3', parseCIDR('10.1.0.0/16')), true);
  eq(inCIDR('10.2.0.1', parseCIDR('10.1.0.0/16')), false);
  eq(inCIDR('10.2.0.1', parseCIDR('0.0.0.0/0')), true);
  eq(inCIDR('2001:db8::1', parseCIDR('2001:db8::/32')), true);
  eq(inCIDR('2001:db9::1', parseCIDR('2001:db8::/32')), false);
  eq(inCIDR('10.1.0.1', parseCIDR('2001:db8::/32')), false, 'family mismatch');
  eq(parseCIDR('10.0.0.0/33'), null);
  eq(isPrivate('192.168.1.1') && isPrivate('fd00::1') && !isPrivate('8.8.8.8'), true);
  eq(direction('203.0.113.5', '10.0.0.1'), 'in');
  eq(direction('10.0.0.1', '203.0.113.5'), 'out');
});

// --- query.js
const view = (o) => ({
  uid: 'abcd1234', src: ['10.1.0.5'], dst: ['203.0.113.9'], sport: ['51515'], dport: ['443'], proto: ['TCP'], sensor: ['edge-1'],
  type: 'IP', trail: '203.0.113.9', info: 'cobalt strike (malware)', ref: 'abuse.example', sev: 3, count: 120, cls: 'malware',
  dir: 'out', status: 'new', tags: ['ir-1'], note: 'beacon every 60s',
  ...o,
  hay() { return [this.uid, ...this.src, ...this.dst, this.type, this.trail, this.info, this.ref, ...this.tags, this.note].join(' ').toLowerCase(); },
});
const m = (q, v = view({})) => compile(parse(q))(v);
test('query: field terms', () => {
  const rows = [
    ['src:10.1.0.5', true], ['src:10.1.0.0/16', true], ['src:10.2.0.0/16', false], ['dst:203.0.113.*', true],
    ['port:443', true], ['port:>1024', true], ['dport:>1024', false], ['dport:400-500', true], ['dport:<=80', false],
    ['count:>=120', true], ['count:>120', false], ['events:100-200', true],
    ['sev:high', true], ['sev:low,medium', false], ['sev:2-3', true], ['sev:>=3', true],
    ['type:ip', true], ['type:DNS,URL', false], ['proto:tcp', true], ['sensor:edge-*', true],
    ['trail:113', true], ['info:cobalt', true], ['info:"cobalt strike"', true], ['info:"strike cobalt"', false],
    ['class:malware', true], ['dir:out', true], ['dir:in', false], ['tag:ir', true], ['note:beacon', true],
    ['status:new', true], ['status:open', true], ['status:resolved', false], ['uid:abcd*', true], ['uid:*D0', false],
  ];
  for (const [q, want] of rows) eq(m(q), want, q);
});
test('query: boolean logic and precedence', () => {
  const rows = [
    ['type:IP AND sev:high', true], ['type:IP && sev:low', false], ['type:IP sev:low', false],
    ['type:DNS OR sev:high', true], ['type:DNS || sev:low', false], ['NOT type:DNS', true], ['!type:IP', false],
    ['-type:IP', false], ['-(type:DNS OR sev:low)', true], ['type:DNS OR type:IP AND sev:low', false],
    ['(type:DNS OR type:IP) AND sev:high', true], ['type:DNS OR (type:IP AND sev:high)', true],
  ];
  for (const [q, want] of rows) eq(m(q), want, q);
});
test('query: bare words and phrases', () => {
  eq(m('cobalt'), true);
  eq(m('"strike (malware)"'), true);
  eq(m('COBALT'), true, 'case-insensitive');
  eq(m('zeus'), false);
  eq(m('http://x.example'), false, 'unknown field is a word');
  eq(m(''), true, 'empty query matches all');
});
test('query: errors name the problem', () => {
  for (const [q, re] of [['(type:IP', /missing \)/], ['type:IP OR', /right-hand/], ['port:abc', /not a number/],
    ['"open', /unterminated/], ['status:weird', /status/], ['dport:9-1', /empty/], ['src:1.2.3.4/99', /CIDR/], [')', /unexpected/],
    ['()', /empty parentheses/], ['type:', /needs a value/]]) {
    const err = throws(() => parse(q), re, q);
    eq(err instanceof QueryError, true, q);
  }
});
test('query: chips', () => {
  eq(chipFor('src', '10.0.0.1'), 'src:10.0.0.1');
  eq(chipFor('trail', '(a,b).evil.com'), 'trail:"(a,b).evil.com"');
  eq(chipFor('src', '10.0.0.1', true), '-src:10.0.0.1');
  eq(m(buildQuery([chipFor('info', 'cobalt strike (malware)')], 'sev:high')), true);
  eq(m(buildQuery(['type:DNS'], 'sev:high')), false);
  eq(tokenize('trail:"a b"').length, 1);
});

// --- frames.js, columns.js + aggregate.js
// encodeFrame writes a frame the way api/chunkenc.go does: cols is
// [name, values] in body order, each column as narrow byte planes.
function encodeFrame(head, cols) {
  const n = head.n, parts = [];
  head = { ...head, columns: [] };
  for (const [name, vals] of cols) {
    let w = 0;
    for (const v of vals) while (v >= 2 ** (8 * w)) w++;
    const b = new Uint8Array(n * w);
    for (let k = 0; k < w; k++) vals.forEach((v, i) => { b[k * n + i] = Math.floor(v / 2 ** (8 * k)) % 256; });
    head.columns.push([name, w]);
    parts.push(b);
  }
  const h = new TextEncoder().encode(JSON.stringify(head));
  const blen = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(8 + h.length + blen);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.length, true);
  dv.setUint32(4, blen, true);
  out.set(h, 8);
  let off = 8 + h.length;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
// readFrames feeds bytes to a FrameReader in reads of the given size.
function readFrames(bytes, size) {
  const r = new FrameReader(), out = [];
  for (let i = 0; i < bytes.length; i += size) {
    r.push(bytes.subarray(i, i + size));
    let f;
    while ((f = r.next())) out.push(decodeFrame(f));
  }
  eq(r.pending(), 0, 'nothing left over');
  return out;
}
function chunk(rows, t0, { numericPorts = false, ids = true } = {}) {
  // One dict section per string column, then the IDs' batch parts.
  const secs = STRING_COLUMNS.map(() => new Map());
  const batches = new Map();
  const local = (m, s) => { if (s === '') return 0; if (!m.has(s)) m.set(s, m.size + 1); return m.get(s); };
  const col = { time: [], id_batch: [], id_pos: [], severity: [], count: [], dns_qtype: [], dns_rcode: [] };
  for (const c of STRING_COLUMNS) col[c] = [];
  const ports = numericPorts ? ['src_port', 'dst_port'] : [];
  let prev = t0;
  rows.forEach((r, i) => {
    const us = t0 + (r.sec || i) * 1e6;
    col.time.push(us - prev); prev = us;
    // Both 32-bit halves of the ID above 2^31: unsigned arithmetic.
    col.id_batch.push(local(batches, 'fedcba98f65')); col.id_pos.push(0x1000 + i);
    STRING_COLUMNS.forEach((c, k) => col[c].push(ports.includes(c) ? Number(r[c] || 0) : local(secs[k], r[c] || '')));
    col.severity.push(r.severity || 0); col.count.push(r.count || 1); col.dns_qtype.push(0); col.dns_rcode.push(r.dns_rcode === -1 ? 255 : 0);
  });
  if (!ids) batches.clear();
  const head = { n: rows.length, cursor: 'c', done: true, time0: t0, ports,
    dict: [...secs.flatMap((m) => [...m.keys()]), ...batches.keys()], sections: [...secs.map((m) => m.size), batches.size] };
  const order = ['time', ...(ids ? ['id_batch', 'id_pos'] : []), ...STRING_COLUMNS, 'severity', 'count', 'dns_qtype', 'dns_rcode'];
  const [ch] = readFrames(encodeFrame(head, order.map((c) => [c, col[c]])), 1 << 20);
  return ch;
}
const DAY0 = Date.parse('2026-11-20T00:00:00Z') * 1000;
function groupRows(rows) {
  const s = new ColumnStore(4);
  s.appendChunk(chunk(rows, DAY0));
  return { s, res: new Aggregator(s).run(DAY0) };
}
const ev = (src, trail, info = 'zeus (malware)', ref = '(static)', extra = {}) => ({ src_ip: src, trail, info, reference: ref, type: 'DNS', proto: 'UDP', dst_ip: '10.0.0.53', dst_port: '53', sensor: 's1', ...extra });

test('columns: chunks decode times, ids and strings', () => {
  const s = new ColumnStore(2);
  s.appendChunk(chunk([ev('10.0.0.1', 'a.example'), ev('10.0.0.2', 'b.example'), ev('10.0.0.1', 'a.example')], DAY0));
  s.appendChunk(chunk([ev('10.0.0.9', 'c.example', 'x', 'y', { sec: 3600 })], DAY0));
  eq(s.n, 4);
  eq(s.time[1] - s.time[0], 1e6, 'delta decoding');
  eq(s.time[3], DAY0 + 3600e6, 'second chunk restarts deltas');
  eq(s.get('trail', 3), 'c.example');
  eq(s.get('src_ip', 2), '10.0.0.1');
  eq(s.eventID(1), 'fedcba98f6501001');
  eq(s.row(0).info, 'zeus (malware)');
  eq(s.cap >= 4, true, 'grew');
});
test('frames: any read boundaries, widths 0 to 6, errors', () => {
  const vals = { z: [0, 0, 0], a: [1, 255, 7], b: [256, 65535, 1], c: [0, 2 ** 24 - 1, 2 ** 24], d: [2 ** 32 - 1, 2 ** 31, 5], e: [2 ** 40 + 3, 86_400_000_000, 0] };
  const one = encodeFrame({ n: 3, cursor: 'x', done: false }, Object.entries(vals));
  const two = new Uint8Array(2 * one.length);
  two.set(one); two.set(one, one.length);
  for (const size of [1, 3, 8, 9, one.length, two.length]) {
    const fs = readFrames(two, size);
    eq(fs.length, 2, `reads of ${size}`);
    for (const [name, want] of Object.entries(vals)) eq(Array.from(fs[1][name]), want, `${name}, reads of ${size}`);
    eq(fs[0].columns.map((c) => c[1]).join(), '0,1,2,4,4,6', 'narrowest widths');
  }
  const r = new FrameReader();
  r.push(one.subarray(0, one.length - 1));
  eq(r.next(), null, 'a partial frame waits');
  const huge = new Uint8Array(8);
  new DataView(huge.buffer).setUint32(0, 2 ** 31, true);
  throws(() => { const q = new FrameReader(); q.push(huge); q.next(); }, /frame of/);
  throws(() => decodeFrame({ header: { n: 3, columns: [['a', 2]] }, body: new Uint8Array(5) }), /past the frame/);
  throws(() => decodeFrame({ header: { n: 1, columns: [['a', 1]] }, body: new Uint8Array(2) }), /columns of 1/);
});
test('frames: corrupt bytes give an error or a consistent frame', () => {
  const good = encodeFrame({ n: 4, cursor: 'x', done: true }, [['a', [1, 2, 3, 70000]], ['b', [0, 0, 0, 1]]]);
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 2000; round++) {
    const bad = good.slice(0, round % 3 === 0 ? rnd(good.length) + 1 : good.length);
    for (let k = rnd(4); k >= 0; k--) bad[rnd(bad.length)] = rnd(256);
    const r = new FrameReader();
    r.push(bad);
    try {
      let f;
      while ((f = r.next())) {
        const ch = decodeFrame(f);
        for (const [name] of ch.columns) eq(ch[name].length, ch.n, `round ${round}: column ${name}`);
      }
    } catch (err) {
      if (!(err instanceof Error) || /round/.test(err.message)) throw err;
    }
  }
});
test('columns: a stream without IDs', () => {
  const s = new ColumnStore(2);
  s.appendChunk(chunk([ev('10.0.0.1', 'a.example')], DAY0));
  s.appendChunk(chunk([ev('10.0.0.2', 'b.example'), ev('10.0.0.3', 'c.example')], DAY0, { ids: false }));
  eq([s.eventID(0), s.eventID(1), s.eventID(2)], ['fedcba98f6501000', '', '']);
  eq(s.get('trail', 2), 'c.example');
});
test('columns: numeric ports and signed bytes', () => {
  const s = new ColumnStore(2);
  s.appendChunk(chunk([ev('10.0.0.1', 'a.example', 'x', 'y', { src_port: '51234', dns_rcode: -1 }), ev('10.0.0.1', 'a.example', 'x', 'y', { src_port: '' })], DAY0, { numericPorts: true }));
  s.appendChunk(chunk([ev('10.0.0.1', 'a.example', 'x', 'y', { src_port: '51234' })], DAY0, { numericPorts: true }));
  eq([s.get('src_port', 0), s.get('src_port', 1), s.get('dst_port', 0)], ['51234', '', '53']);
  eq(s.str.src_port[2], s.str.src_port[0], 'one string id per port');
  eq(s.int.dns_rcode[0], 255, 'rcode -1 as its byte');
});
test('grouping: source and trail, bracketed parts ignored', () => {
  const { res } = groupRows([ev('10.0.0.1', 'evil.example'), ev('10.0.0.1', '(x1).evil.example'), ev('10.0.0.2', 'evil.example'),
    ev('10.0.0.1', 'other.example', 'zeus (malware)', '(static)', { count: 5 })]);
  eq(res.threats.length, 3);
  eq(res.threats[0].count, 2);
  eq(res.threats[2].count, 5, 'summarised events count their count');
  eq(res.totals.events, 8);
  eq(res.totals.sources, 2);
  eq(res.totals.trails, 2);
  eq(res.threats[0].uid, threatUID('10.0.0.1~>evil.example', KIND_PLAIN), 'uid from the key text');
});
test('grouping: a trail from more than 50 sources is one flood threat', () => {
  const rows = [];
  for (let i = 0; i < 50; i++) rows.push(ev('10.0.1.' + i, 'flood.example'));
  const { res } = groupRows(rows);
  eq(res.threats.length, 50, '50 sources is not a flood');
  rows.push(ev('10.0.2.1', 'flood.example'));
  const r2 = groupRows(rows).res;
  eq(r2.threats.length, 1);
  eq(r2.threats[0].uid, threatUID('...~>flood.example', KIND_FLOOD));
  eq(r2.threats[0].srcS.ids.size, 51);
});
test('grouping: DGA by source and info, exhaustion by info and trail, heuristics by source, trail and info', () => {
  const { res } = groupRows([
    ev('10.0.0.1', '(abc).com', 'potential dga domain (suspicious)', '(heuristic)'),
    ev('10.0.0.1', '(xyz).net', 'potential dga domain (suspicious)', '(heuristic)'),
    ev('10.0.0.2', '(qqq).com', 'potential dga domain (suspicious)', '(heuristic)'),
    ev('10.0.0.1', '(a1).victim.example', 'potential dns exhaustion (suspicious)', '(heuristic)'),
    ev('10.0.0.7', '(b2).victim.example', 'potential dns exhaustion (suspicious)', '(heuristic)'),
    ev('10.0.0.1', '10.0.0.1', 'potential port scanning', '(heuristic)'),
    ev('10.0.0.1', '10.0.0.1', 'potential web scanning', '(heuristic)'),
  ]);
  const uids = res.threats.map((t) => t.uid);
  eq(uids.filter((u) => u.endsWith('D0')).length, 2, 'DGA per source');
  eq(uids.filter((u) => u.endsWith('N0')).length, 1, 'exhaustion across sources');
  eq(res.threats.length, 5, 'two heuristics of one source stay apart');
  eq(uids.includes(threatUID('10.0.0.1~>potential dga domain (suspicious)', KIND_DGA)), true, 'DGA key');
});
test('grouping: hours, first/last, distinct caps, severity fallback', () => {
  const rows = [];
  for (let i = 0; i < 150; i++) rows.push(ev('10.0.0.1', 'x.example', 'zeus (malware)', '(static)', { dst_port: String(1000 + i), sec: i * 500 }));
  const { res } = groupRows(rows);
  const t = res.threats[0];
  eq(t.dportS.ids.size, 100, 'distinct values capped');
  eq(t.dportS.capped, true);
  eq(t.sev, 3, 'severity derived when the column is 0');
  eq(t.hours.reduce((a, b) => a + b, 0), 150);
  eq(t.hours[0], 8, 'events of hour 0');
  eq((t.last - t.first) / 1e6, 149 * 500);
});
test('grouping: condensed "a,b" sources count as two', () => {
  const { res } = groupRows([ev('10.0.0.1,10.0.0.2', 'x.example')]);
  eq(res.threats[0].srcS.ids.size, 2);
});

// --- export.js, live.js
test('CSV export neutralises formulas and quotes', () => {
  eq(csvCell('=cmd|x'), "'=cmd|x");
  eq(csvCell('a,b'), '"a,b"');
  eq(csvCell(['1.1.1.1', '2.2.2.2']), '1.1.1.1 2.2.2.2');
  const csv = toCSV([{ sev: 3, uid: 'u1', count: 2, first: 0, last: 1000, sensor: ['s'], src: ['10.0.0.1'], dst: ['x'], dport: ['53'], proto: ['UDP'],
    type: 'DNS', trail: 'evil.example', info: 'zeus (malware)', ref: '(static)', status: 'new', tags: [] }]);
  eq(csv.split('\r\n')[0].startsWith('severity,uid,events,first_seen'), true);
  eq(csv.split('\r\n')[1].startsWith('high,u1,2,1970-01-01T00:00:00.000Z'), true, csv);
});
test('defang', () => {
  eq(defang('http://evil.example/x'), 'hxxp[://]evil[.]example/x');
  eq(defang('1.2.3.4'), '1[.]2[.]3[.]4');
  eq(toIOCs([{ trail: '(a).evil.com' }, { trail: '(b).evil.com' }], normTrail), 'evil[.]com\n');
});
test('SSE blocks', () => {
  eq(parseSSE('event: event\ndata: {"a":1}'), { event: 'event', data: '{"a":1}' });
  eq(parseSSE(': ping'), null);
  eq(parseSSE('data: a\ndata: b'), { event: 'message', data: 'a\nb' });
});
test('query: UIDs match case-sensitively', () => {
  eq(m('uid:*D0', view({ uid: 'abcdefD0' })), true);
  eq(m('uid:*D0', view({ uid: 'abcdefd0' })), false);
  eq(m('uid:abcdefd0', view({ uid: 'abcdefD0' })), false);
});

test('zones: local midnights, DST days, clocks', () => {
  eq(dayStartMs('2026-11-20'), Date.parse('2026-11-20T00:00:00Z'), 'UTC');
  eq(dayStartMs('2026-11-20', 'Europe/Berlin'), Date.parse('2026-11-19T23:00:00Z'), 'Berlin winter');
  eq(dayStartMs('2026-07-01', 'Europe/Berlin'), Date.parse('2026-06-30T22:00:00Z'), 'Berlin summer');
  eq(dayStartMs('2026-03-08', 'America/New_York'), Date.parse('2026-03-08T05:00:00Z'), 'the day clocks go forward');
  eq(dayStartMs('2026-03-09', 'America/New_York'), Date.parse('2026-03-09T04:00:00Z'), 'the day after');
  eq(dayStartMs('2026-11-20', 'Asia/Kolkata'), Date.parse('2026-11-19T18:30:00Z'), 'half-hour offset');
  eq(localDay(Date.parse('2026-11-19T23:30:00Z'), 'Europe/Berlin'), '2026-11-20');
  eq(clock(Date.parse('2026-11-19T23:30:05.250Z'), 'Europe/Berlin', true), '00:30:05.250');
  eq(validZone('Mars/Olympus'), false);
});
