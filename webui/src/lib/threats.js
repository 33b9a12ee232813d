// Threat identity and scoring, compatible with Maltrail's dashboard so that
// threat UIDs (and the triage keyed by them) match across both consoles.

/** MurmurHash3 x86 32-bit over the low byte of each UTF-16 code unit. */
export function murmur3(key, seed) {
  const n = key.length;
  const tail = n & ~3;
  let h = seed >>> 0;
  const mix = (k) => {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    return Math.imul(k, 0x1b873593);
  };
  for (let i = 0; i < tail; i += 4) {
    const k = (key.charCodeAt(i) & 0xff) | ((key.charCodeAt(i + 1) & 0xff) << 8) |
      ((key.charCodeAt(i + 2) & 0xff) << 16) | ((key.charCodeAt(i + 3) & 0xff) << 24);
    h ^= mix(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const rest = n & 3;
  if (rest === 3) k ^= (key.charCodeAt(tail + 2) & 0xff) << 16;
  if (rest >= 2) k ^= (key.charCodeAt(tail + 1) & 0xff) << 8;
  if (rest >= 1) {
    k ^= key.charCodeAt(tail) & 0xff;
    h ^= mix(k);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Threat kinds with their own UID suffix. */
export const KIND_PLAIN = 0, KIND_DNSX = 1, KIND_FLOOD = 2, KIND_DGA = 3;
const SUFFIX = ['', 'N0', 'F0', 'D0'];

/** A trail seen from more than this many distinct sources in a day is a flood. */
export const FLOOD_SOURCES = 50;

/** threatUID maps a threat's key text to its 8-character UID. */
export function threatUID(text, kind) {
  const hex = murmur3(text, 13).toString(16).padStart(8, '0');
  return kind === KIND_PLAIN ? hex : hex.padStart(6, '0').slice(0, 6) + SUFFIX[kind];
}

/** uidHue gives each threat a stable colour. */
export function uidHue(uid) {
  return murmur3(uid, 7) % 360;
}

/** normTrail drops the variable, bracketed parts of a trail ("(a,b).evil.com" → "evil.com"). */
export function normTrail(trail) {
  let s = trail.replace(/\([^)]+\)/g, '');
  s = trimChar(trimChar(s, ' '), '.');
  return s;
}

function trimChar(s, c) {
  let a = 0, b = s.length;
  while (a < b && s[a] === c) a++;
  while (b > a && s[b - 1] === c) b--;
  return s.slice(a, b);
}

/** Flags of an event's info/reference that change how it is grouped. */
export function infoFlags(info) {
  return (info.includes(' dns exhaustion ') ? 1 : 0) | (info.includes(' dga ') ? 2 : 0);
}
export function isHeuristicRef(ref) {
  return ref.includes('heuristic');
}

/**
 * threatKeyText is the grouping key of an event: DNS-exhaustion by info and
 * trail, floods by trail alone, DGA by source and info, heuristics by
 * source, trail and info, everything else by source and trail.
 */
export function threatKeyText(kind, src, nt, info, heuristic) {
  switch (kind) {
    case KIND_DNSX: return info + '~>' + nt;
    case KIND_FLOOD: return '...~>' + nt;
    case KIND_DGA: return src + '~>' + info;
  }
  return heuristic ? src + '~>' + nt + info : src + '~>' + nt;
}

/** threatKind picks the kind; flood wins over DGA but not over DNS exhaustion. */
export function threatKind(flags, flood) {
  if (flags & 1) return KIND_DNSX;
  if (flood) return KIND_FLOOD;
  if (flags & 2) return KIND_DGA;
  return KIND_PLAIN;
}

const SEV_KEYWORDS = [['malware', 3], ['adversary', 3], ['ransomware', 3], ['reputation', 1], ['attacker', 1],
  ['spammer', 1], ['compromised', 1], ['crawler', 1], ['scanning', 1]];

/** severityOf derives a severity (1 low … 3 high) from info and reference, for events stored without one. */
export function severityOf(info, ref) {
  info = info.toLowerCase();
  ref = ref.toLowerCase();
  if (ref.includes('(custom)') || ref.includes('(remote custom)')) return 3;
  if (info.includes('potential malware site')) return 2;
  if (ref.includes('malwaredomainlist')) return 3;
  if (info.includes('malware distribution')) return 2;
  if (info.includes('mass scanner')) return 1;
  for (const [word, sev] of SEV_KEYWORDS) if (info.includes(word)) return sev;
  return 2;
}

const RISK_UP = /\b(c2|cnc|cobalt|beacon|trojan|ransom|sinkhole|dga|malware|infect(ed|ion)?|exfil|backdoor|rat|apt|stealer|botnet|loader|dropper|phish)\b/i;
const RISK_DOWN = /\b(scan|scanner|reputation|attacker|crawler|bruteforce|brute[-\s]?force|mass|spam|probe|honeypot)\b/i;

/** riskScore orders threats: severity first, then what the info says, then volume. */
export function riskScore(sev, info, count) {
  let r = sev * 1000;
  if (RISK_UP.test(info)) r += 400;
  if (RISK_DOWN.test(info)) r -= 250;
  return r + Math.min(90, 15 * Math.log(1 + count));
}

/** classOf reads the trailing "(malware|malicious|suspicious)" of an info. */
export function classOf(info) {
  const m = /\((malware|malicious|suspicious)\)\s*$/i.exec(info);
  return m ? m[1].toLowerCase() : '';
}

export const SEV_NAMES = ['', 'low', 'medium', 'high'];
