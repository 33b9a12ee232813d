// IP address parsing for CIDR filters and private-address checks.

/** parseIP returns the address as 16-bit groups (2 for IPv4, 8 for IPv6), or null. */
export function parseIP(s) {
  if (s.includes('.') && !s.includes(':')) {
    const p = s.split('.');
    if (p.length !== 4) return null;
    const b = [];
    for (const x of p) {
      if (!/^\d{1,3}$/.test(x) || Number(x) > 255) return null;
      b.push(Number(x));
    }
    return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let head = s, tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const groups = (x) => {
    if (x === '') return [];
    const out = [];
    for (const g of x.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIP(g);
        if (!v4) return null;
        out.push(...v4);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const h = groups(head), t = groups(tail);
  if (!h || !t) return null;
  if (dbl < 0) return h.length === 8 ? h : null;
  if (h.length + t.length > 7) return null;
  return [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

/** parseCIDR returns {groups, bits} for "a.b.c.d/n" or "v6/n", or null. */
export function parseCIDR(s) {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const g = parseIP(s.slice(0, slash));
  const bitsStr = s.slice(slash + 1);
  if (!g || !/^\d{1,3}$/.test(bitsStr)) return null;
  const bits = Number(bitsStr);
  if (bits > g.length * 16) return null;
  return { groups: g, bits };
}

/** inCIDR tells whether address string ip is inside cidr. */
export function inCIDR(ip, cidr) {
  const g = parseIP(ip);
  if (!g || g.length !== cidr.groups.length) return false;
  let bits = cidr.bits;
  for (let i = 0; i < g.length && bits > 0; i++, bits -= 16) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((g[i] & mask) !== (cidr.groups[i] & mask)) return false;
  }
  return true;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '100.64.0.0/10',
  'fc00::/7', 'fe80::/10', '::1/128'].map(parseCIDR);

/** isPrivate tells whether ip is a private, loopback or link-local address. */
export function isPrivate(ip) {
  return PRIVATE.some((c) => inCIDR(ip, c));
}
