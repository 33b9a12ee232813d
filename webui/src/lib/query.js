// The threat search language:
//
//   src:10.0.0.0/8 AND (type:DNS,URL OR trail:*.evil.*) -status:resolved
//   port:>1024  count:100-500  sev:high  "exact phrase"  beacon
//
// field:value terms, comma lists (any of), * and ? globs, CIDRs for
// addresses, numeric comparisons and ranges, AND / && / adjacency, OR / ||,
// NOT / ! / leading -, parentheses and quoted phrases. Bare words match
// any of a threat's values as a substring.

import { inCIDR, isPrivate, parseCIDR } from './ip.js';

export class QueryError extends Error {
  constructor(message, pos) {
    super(message);
    this.pos = pos;
  }
}

/** Fields, with how their values are compared. */
export const FIELDS = {
  src: 'ip', dst: 'ip', ip: 'ip',
  port: 'num', sport: 'num', dport: 'num', count: 'num', events: 'num',
  sev: 'sev', severity: 'sev',
  proto: 'exact', type: 'exact', sensor: 'exact', uid: 'exact', class: 'exact', dir: 'exact', status: 'status',
  trail: 'text', info: 'text', ref: 'text', tag: 'text', note: 'text',
};

const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** tokenize splits a query into tokens. */
export function tokenize(q) {
  const out = [];
  let i = 0;
  const readQuoted = () => {
    const start = i++;
    let s = '';
    while (i < q.length && q[i] !== '"') {
      if (q[i] === '\\' && i + 1 < q.length) i++;
      s += q[i++];
    }
    if (i >= q.length) throw new QueryError('unterminated quote', start);
    i++;
    return s;
  };
  const readWord = () => {
    let s = '', depth = 0;
    while (i < q.length && !isSpace(q[i])) {
      const c = q[i];
      if (c === '(') depth++;
      if (c === ')') {
        if (depth === 0) break;
        depth--;
      }
      s += c;
      i++;
    }
    return s;
  };
  while (i < q.length) {
    const c = q[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(' || c === ')') {
      out.push({ t: c, pos });
      i++;
      continue;
    }
    if (q.startsWith('&&', i)) {
      out.push({ t: 'and', pos });
      i += 2;
      continue;
    }
    if (q.startsWith('||', i)) {
      out.push({ t: 'or', pos });
      i += 2;
      continue;
    }
    if ((c === '!' || c === '-') && i + 1 < q.length && !isSpace(q[i + 1])) {
      out.push({ t: 'not', pos });
      i++;
      continue;
    }
    if (c === '"') {
      out.push({ t: 'word', value: readQuoted(), quoted: true, pos });
      continue;
    }
    const fq = /^([a-z_]+):"/i.exec(q.slice(i, i + 24));
    if (fq && FIELDS[fq[1].toLowerCase()]) {
      i += fq[0].length - 1;
      out.push({ t: 'term', field: fq[1].toLowerCase(), value: readQuoted(), quoted: true, pos });
      continue;
    }
    const word = readWord();
    if (word === '') throw new QueryError(`unexpected "${q[i]}"`, i);
    if (word === 'AND' || word === 'OR' || word === 'NOT') {
      out.push({ t: word.toLowerCase(), pos });
      continue;
    }
    const m = /^([a-z_]+):(.*)$/i.exec(word);
    if (m && FIELDS[m[1].toLowerCase()]) {
      const value = m[2];
      if (value === '') throw new QueryError(`${m[1]}: needs a value`, pos);
      out.push({ t: 'term', field: m[1].toLowerCase(), value, pos });
      continue;
    }
    out.push({ t: 'word', value: word, pos });
  }
  return out;
}

/** parse turns a query into an AST: {op:'and'|'or', a, b} | {op:'not', a} | {op:'term'|'word', …} | null. */
export function parse(q) {
  const toks = tokenize(q);
  let p = 0;
  const peek = () => toks[p];
  const parseOr = () => {
    let left = parseAnd();
    while (peek() && peek().t === 'or') {
      const op = toks[p++];
      if (!peek() || peek().t === ')' || peek().t === 'or' || peek().t === 'and') throw new QueryError('OR needs a right-hand side', op.pos);
      left = { op: 'or', a: left, b: parseAnd() };
    }
    return left;
  };
  const parseAnd = () => {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!t || t.t === ')' || t.t === 'or') return left;
      if (t.t === 'and') {
        p++;
        if (!peek() || peek().t === ')' || peek().t === 'or') throw new QueryError('AND needs a right-hand side', t.pos);
      }
      left = { op: 'and', a: left, b: parseUnary() };
    }
  };
  const parseUnary = () => {
    const t = toks[p++];
    if (!t) throw new QueryError('unexpected end of query', q.length);
    switch (t.t) {
      case 'not':
        if (!peek()) throw new QueryError('NOT needs an operand', t.pos);
        return { op: 'not', a: parseUnary() };
      case '(': {
        if (peek() && peek().t === ')') throw new QueryError('empty parentheses', t.pos);
        const e = parseOr();
        if (!peek() || peek().t !== ')') throw new QueryError('missing )', t.pos);
        p++;
        return e;
      }
      case 'term':
        return { op: 'term', field: t.field, values: parseValues(t.field, t.value, t.pos, t.quoted) };
      case 'word':
        return { op: 'word', value: t.value.toLowerCase() };
    }
    throw new QueryError(`unexpected ${t.t === ')' ? ')' : t.t.toUpperCase()}`, t.pos);
  };
  if (toks.length === 0) return null;
  const ast = parseOr();
  if (p < toks.length) throw new QueryError(`unexpected ${toks[p].t === ')' ? ')' : toks[p].t}`, toks[p].pos);
  return ast;
}

const SEV_WORDS = { high: 3, h: 3, hi: 3, medium: 2, med: 2, m: 2, md: 2, low: 1, l: 1, lo: 1 };
const STATUS_WORDS = { new: 'new', open: 'open', investigating: 'investigating', resolved: 'resolved', fp: 'false-positive', 'false-positive': 'false-positive' };

function globRe(s, caseSensitive = false) {
  return new RegExp('^' + s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', caseSensitive ? '' : 'i');
}

/** parseValues reads a term's comma list into matchers of one kind each. */
function parseValues(field, raw, pos, quoted) {
  const kind = FIELDS[field];
  const out = [];
  if (quoted && (kind === 'text' || kind === 'exact' || kind === 'ip')) {
    return [kind === 'text' ? { sub: raw.toLowerCase() } : { eq: raw.toLowerCase() }];
  }
  for (const v0 of raw.split(',')) {
    const v = v0.trim();
    if (v === '') continue;
    if (kind === 'num' || kind === 'sev') {
      const num = (x) => {
        if (kind === 'sev' && SEV_WORDS[x.toLowerCase()] !== undefined) return SEV_WORDS[x.toLowerCase()];
        if (!/^\d+(\.\d+)?$/.test(x)) throw new QueryError(`${field}: "${x}" is not a number`, pos);
        return Number(x);
      };
      let m;
      if ((m = /^(>=|<=|>|<)(.+)$/.exec(v))) out.push({ cmp: m[1], n: num(m[2]) });
      else if ((m = /^([^-]+)-([^-]+)$/.exec(v))) {
        const lo = num(m[1]), hi = num(m[2]);
        if (lo > hi) throw new QueryError(`${field}: range ${v} is empty`, pos);
        out.push({ lo, hi });
      } else if (v.includes('*')) {
        out.push({ re: globRe(v) });
      } else {
        const n = num(v);
        out.push({ lo: n, hi: n });
      }
      continue;
    }
    if (kind === 'status') {
      const s = STATUS_WORDS[v.toLowerCase()];
      if (!s) throw new QueryError(`status: "${v}" is not new, open, investigating, resolved or fp`, pos);
      out.push({ eq: s });
      continue;
    }
    if (kind === 'ip' && v.includes('/')) {
      const c = parseCIDR(v);
      if (!c) throw new QueryError(`${field}: "${v}" is not a CIDR`, pos);
      out.push({ cidr: c });
      continue;
    }
    // UIDs are identifiers: "…F0" (a flood) is not the plain "…f0".
    if (field === 'uid') {
      out.push({ re: globRe(v, true) });
      continue;
    }
    if (v.includes('*') || v.includes('?')) {
      out.push({ re: globRe(v) });
      continue;
    }
    out.push(kind === 'text' ? { sub: v.toLowerCase() } : { eq: v.toLowerCase() });
  }
  if (out.length === 0) throw new QueryError(`${field}: needs a value`, pos);
  return out;
}

function matchOne(m, x) {
  if (m.cidr) return inCIDR(String(x), m.cidr);
  if (m.re) return m.re.test(String(x));
  if (m.sub !== undefined) return String(x).toLowerCase().includes(m.sub);
  if (m.eq !== undefined) return String(x).toLowerCase() === m.eq;
  const n = typeof x === 'number' ? x : Number(x);
  if (Number.isNaN(n)) return false;
  if (m.cmp) {
    switch (m.cmp) {
      case '>': return n > m.n;
      case '>=': return n >= m.n;
      case '<': return n < m.n;
      case '<=': return n <= m.n;
    }
  }
  return n >= m.lo && n <= m.hi;
}

/**
 * fieldValues lists the values of field for a threat view (see
 * threatView in the worker): arrays for multi-valued columns.
 */
function fieldValues(v, field) {
  switch (field) {
    case 'src': return v.src;
    case 'dst': return v.dst;
    case 'ip': return v.src.concat(v.dst);
    case 'port': return v.sport.concat(v.dport);
    case 'sport': return v.sport;
    case 'dport': return v.dport;
    case 'count': case 'events': return [v.count];
    case 'sev': case 'severity': return [v.sev];
    case 'proto': return v.proto;
    case 'sensor': return v.sensor;
    case 'type': return [v.type];
    case 'uid': return [v.uid];
    case 'class': return [v.cls];
    case 'dir': return [v.dir];
    case 'status': return v.status === 'new' ? ['new', 'open'] : [v.status];
    case 'trail': return [v.trail];
    case 'info': return [v.info];
    case 'ref': return [v.ref];
    case 'tag': return v.tags;
    case 'note': return [v.note];
  }
  return [];
}

/** compile turns an AST into a predicate over threat views. */
export function compile(ast) {
  if (!ast) return () => true;
  switch (ast.op) {
    case 'and': {
      const a = compile(ast.a), b = compile(ast.b);
      return (v) => a(v) && b(v);
    }
    case 'or': {
      const a = compile(ast.a), b = compile(ast.b);
      return (v) => a(v) || b(v);
    }
    case 'not': {
      const a = compile(ast.a);
      return (v) => !a(v);
    }
    case 'word':
      return (v) => v.hay().includes(ast.value);
    case 'term':
      return (v) => {
        const vals = fieldValues(v, ast.field);
        for (const m of ast.values) for (const x of vals) if (matchOne(m, x)) return true;
        return false;
      };
  }
  throw new Error('BUG: unknown node ' + ast.op);
}

/** buildQuery joins filter chips (each a query) and the typed query with AND. */
export function buildQuery(chips, q) {
  const parts = chips.map((c) => `(${c})`);
  if (q && q.trim()) parts.push(`(${q})`);
  return parts.join(' ');
}

/** chipFor makes a chip query matching field = value exactly. */
export function chipFor(field, value, negate = false) {
  const v = /[\s,()"]/.test(String(value)) || String(value) === '' ? `"${String(value).replace(/["\\]/g, '\\$&')}"` : String(value);
  return `${negate ? '-' : ''}${field}:${v}`;
}

/** direction says whether a threat's traffic came from outside ("in"), left the network ("out"), or neither. */
export function direction(src, dst) {
  const sp = isPrivate(src), dp = isPrivate(dst);
  if (!sp && dp) return 'in';
  if (sp && !dp) return 'out';
  return sp ? 'internal' : 'external';
}
