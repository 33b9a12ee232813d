// The API client: the session's tokens, refreshed before they expire and
// once more on a 401, and JSON helpers that turn {"error": …} into errors.

const KEY = 'spoor.session';

export class APIError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let session = load();
let refreshing = null;
const listeners = new Set();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

function save(s) {
  session = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  for (const f of listeners) f(s);
}

export const getSession = () => session;
export const onSession = (f) => listeners.add(f);

async function request(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text };
  }
  if (!res.ok) throw new APIError(res.status, (data && data.error) || res.statusText, data);
  return data;
}

/** login starts a session; a TOTP user without a code gets an error with totpRequired set. */
export async function login(username, password, totp) {
  const body = { username, password };
  if (totp) body.totp = totp;
  let tok;
  try {
    tok = await request('POST', '/auth/login', body);
  } catch (err) {
    if (err.body && err.body.totp_required) err.totpRequired = true;
    throw err;
  }
  const s = fromTokens(tok);
  save(s);
  try {
    const me = await request('GET', '/auth/me', undefined, s.access);
    save({ ...s, username: me.username || username, tenant: me.tenant || s.tenant, role: me.role || s.role, totp: !!me.totp_enabled });
  } catch {
    save({ ...s, username });
  }
  return session;
}

function fromTokens(tok) {
  return {
    access: tok.access_token, refresh: tok.refresh_token,
    expires: Date.now() + (tok.expires_in || 900) * 1000,
    tenant: tok.tenant || (session && session.tenant) || '', role: tok.role || (session && session.role) || '',
    username: session ? session.username : '',
  };
}

/** refresh swaps the refresh token for new tokens (once at a time). */
export function refresh() {
  if (!session) return Promise.reject(new APIError(401, 'not logged in'));
  if (!refreshing) {
    refreshing = request('POST', '/auth/refresh', { refresh_token: session.refresh })
      .then((tok) => save({ ...session, ...fromTokens(tok), username: session.username }))
      .catch((err) => {
        if (err.status === 401 || err.status === 400) save(null);
        throw err;
      })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** token returns a valid access token, refreshing one that expires within a minute. */
export async function token() {
  if (!session) throw new APIError(401, 'not logged in');
  if (Date.now() > session.expires - 60000) await refresh();
  return session.access;
}

export async function logout() {
  const s = session;
  save(null);
  if (s) {
    try {
      await request('POST', '/auth/logout', { refresh_token: s.refresh }, s.access);
    } catch { /* the session is gone locally either way */ }
  }
}

/** api calls an authenticated endpoint, retrying once after a refresh on 401. */
export async function api(method, path, body) {
  try {
    return await request(method, path, body, await token());
  } catch (err) {
    if (err.status !== 401 || !session) throw err;
    await refresh();
    return request(method, path, body, session.access);
  }
}

export const tenantPath = (t, rest = '') => '/tenants/' + encodeURIComponent(t) + rest;
