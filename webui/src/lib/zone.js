// Tenant time zones: a tenant's day runs from its local midnight, so hours
// and times are shown in its zone (the API cuts days the same way).

const fmts = new Map();

function parts(zone, ms) {
  let f = fmts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit' });
    fmts.set(zone, f);
  }
  const o = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}

/** offsetMs is how far zone's wall clock is ahead of UTC at instant ms. */
export function offsetMs(zone, ms) {
  const p = parts(zone, ms);
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** dayStartMs is the instant of local midnight starting day (YYYY-MM-DD) in zone. */
export function dayStartMs(day, zone = 'UTC') {
  const guess = Date.parse(day + 'T00:00:00Z');
  if (!zone || zone === 'UTC') return guess;
  let t = guess - offsetMs(zone, guess);
  // Once more: the offset at the guess may differ from the one at midnight.
  t = guess - offsetMs(zone, t);
  return t;
}

/** localDay is the YYYY-MM-DD date of instant ms in zone. */
export function localDay(ms, zone = 'UTC') {
  const p = parts(zone, ms);
  return `${p.year}-${p.month}-${p.day}`;
}

/** clock formats ms as HH:MM:SS (with .mmm when millis) in zone. */
export function clock(ms, zone = 'UTC', millis = false) {
  const p = parts(zone, ms);
  const s = `${p.hour}:${p.minute}:${p.second}`;
  return millis ? s + '.' + String(Math.floor(ms) % 1000).padStart(3, '0') : s;
}

/** validZone tells whether the browser knows zone. */
export function validZone(zone) {
  try {
    parts(zone, 0);
    return true;
  } catch {
    return false;
  }
}
