// The URL hash holds the whole view state, so that a view can be shared,
// bookmarked and restored by the back button:
//   #/t/<tenant>/day/<YYYY-MM-DD>?q=…&chip=…&sev=3&sort=count&dir=asc&page=2&ps=50

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(qs);
  const r = { page: 'home', tenant: '', day: '', params };
  if (parts[0] === 'login') r.page = 'login';
  else if (parts[0] === 'overview') r.page = 'overview';
  else if (parts[0] === 't' && parts[1]) {
    r.tenant = parts[1];
    r.page = parts[2] || 'day';
    if (r.page === 'day') r.day = parts[3] || '';
  }
  return r;
}

export function hashFor(r, params) {
  let p = '/' + (r.page === 'login' || r.page === 'overview' ? r.page : `t/${encodeURIComponent(r.tenant)}/${r.page}`);
  if (r.page === 'day' && r.day) p += '/' + r.day;
  const qs = params ? params.toString() : '';
  return '#' + p + (qs ? '?' + qs : '');
}

export function go(r, params, replace = false) {
  const target = hashFor(r, params);
  if (target === location.hash) return false;
  if (replace) history.replaceState(null, '', target);
  else location.hash = target;
  return true;
}
