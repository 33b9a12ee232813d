// Spoor's console: the shell (top bar, tenant switch, theme, shortcuts)
// and the router that swaps views as the URL hash changes.

import './app.css';
import 'uplot/dist/uPlot.min.css';
import { api, getSession, logout, onSession, tenantPath } from './api.js';
import { clear, h, isoDay } from './lib/dom.js';
import { go, parseHash } from './route.js';
import { localDay, validZone } from './lib/zone.js';
import { loginView } from './views/login.js';
import { overviewView } from './views/overview.js';
import { dayView } from './views/day.js';
import { sensorsView } from './views/sensors.js';
import { trailsView } from './views/trails.js';
import { sqlView } from './views/sql.js';

const root = document.getElementById('app');
let current = null; // {key, dispose, onkey}
let tenants = null;

const isMSSP = () => (getSession() || {}).role === 'mssp-admin';

function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  localStorage.setItem('spoor.theme', t);
}
applyTheme(localStorage.getItem('spoor.theme') || (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'));
const toggleTheme = () => {
  applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  window.dispatchEvent(new Event('spoor-theme'));
};

async function tenantList() {
  if (!tenants && isMSSP()) {
    try {
      tenants = (await api('GET', '/tenants')).tenants || [];
    } catch {
      tenants = [];
    }
  }
  return tenants || [];
}

function shell(r, body) {
  const sess = getSession();
  const tenant = r.tenant || sess.tenant;
  const link = (page, label, key) => h('a.nav' + (r.page === page ? '.on' : ''),
    { href: page === 'overview' ? '#/overview' : `#/t/${encodeURIComponent(tenant)}/${page}`, title: `${label} (${key})` }, label);
  const picker = h('select.tenant', { title: 'Tenant', 'aria-label': 'Tenant', onchange: (e) => {
    const p = r.page === 'overview' ? 'day' : r.page;
    go({ page: p, tenant: e.target.value, day: r.day });
  } }, h('option', { value: tenant }, tenant));
  if (isMSSP()) {
    tenantList().then((list) => {
      clear(picker, list.map((t) => h('option', { value: t.id, selected: t.id === tenant }, t.name ? `${t.name} (${t.id})` : t.id)));
      if (!list.some((t) => t.id === tenant)) picker.prepend(h('option', { value: tenant, selected: true }, tenant));
    });
  }
  const top = h('header.top',
    h('a.brand', { href: isMSSP() ? '#/overview' : '#/' }, h('span.logo', '◆'), 'spoor'),
    picker,
    h('nav', isMSSP() ? link('overview', 'Overview', 'g o') : null, link('day', 'Threats', 'g d'), link('sensors', 'Sensors', 'g s'),
      link('trails', 'Trails', 'g t'), link('sql', 'SQL', 'g q')),
    h('div.slot', { id: 'slot' }),
    h('button.icon', { title: 'Toggle theme (t)', onclick: toggleTheme }, '◐'),
    h('button.icon', { title: 'Keyboard shortcuts (?)', onclick: showHelp }, '?'),
    h('div.user', h('span.who', sess.username || 'user', h('small', sess.role)),
      h('button.ghost', { id: 'logout', onclick: async () => { await logout(); go({ page: 'login' }); } }, 'Log out')));
  clear(root, top, h('main.view', body));
}

function showHelp() {
  const keys = [['/', 'Search'], ['Esc', 'Close drawer / clear focus'], ['← →', 'Previous / next page'], ['j k  ↑ ↓', 'Select threat'],
    ['Enter', 'Open selected threat'], ['PgUp PgDn', 'Previous / next day'], ['c', 'Calendar'], ['l', 'Live mode'], ['t', 'Theme'],
    ['g o / g d / g s / g t / g q', 'Overview / threats / sensors / trails / SQL'], ['?', 'This help']];
  const syntax = [['src:10.0.0.0/8', 'CIDR (src, dst, ip)'], ['type:DNS,URL', 'any of a list'], ['trail:*.evil.*', 'glob; text fields match substrings'],
    ['port:>1024  count:100-500', 'numeric comparisons and ranges'], ['sev:high  status:new  dir:in', 'severity, triage status, direction'],
    ['a AND b, a b, a && b', 'all of'], ['a OR b, a || b', 'any of'], ['NOT a, !a, -a', 'none of; ( ) group'], ['"exact phrase"  beacon', 'words match any value']];
  const close = () => box.remove();
  const box = h('div.modal-back', { onclick: (e) => { if (e.target === box) close(); } },
    h('div.modal', h('h3', 'Keyboard shortcuts'), h('table.keys', keys.map(([k, d]) => h('tr', h('td', h('kbd', k)), h('td', d)))),
      h('h3', { style: { marginTop: '14px' } }, 'Search'), h('table.keys', syntax.map(([k, d]) => h('tr', h('td', h('code', k)), h('td', d)))),
      h('div.actions', h('button', { onclick: close }, 'Close'))));
  document.body.append(box);
}

// tenantToday is today's date in tenant's time zone (the days the API cuts),
// or in UTC when the zone cannot be read.
async function tenantToday(tenant) {
  try {
    const t = await api('GET', tenantPath(tenant));
    if (t.time_zone && validZone(t.time_zone)) return localDay(Date.now(), t.time_zone);
  } catch { /* UTC */ }
  return isoDay(new Date());
}

async function render() {
  const r = parseHash();
  const sess = getSession();
  // history.replaceState fires no hashchange: render the new state at once.
  const redirect = (to, params) => {
    go(to, params, true);
    return render();
  };
  if (!sess) {
    if (r.page !== 'login') return redirect({ page: 'login' }, new URLSearchParams({ next: location.hash }));
  } else if (r.page === 'login' || r.page === 'home') {
    return redirect(isMSSP() ? { page: 'overview' } : { page: 'day', tenant: sess.tenant, day: await tenantToday(sess.tenant) });
  } else if (r.page === 'day' && !r.day) {
    return redirect({ ...r, day: await tenantToday(r.tenant) }, r.params);
  } else if (r.tenant && !isMSSP() && r.tenant !== sess.tenant) {
    return redirect({ ...r, tenant: sess.tenant }, r.params);
  } else if (r.page === 'overview' && !isMSSP()) {
    return redirect({ page: 'day', tenant: sess.tenant, day: await tenantToday(sess.tenant) });
  }
  // A change of query string only (filters, paging) stays in the same view.
  const key = `${r.page}/${r.tenant}/${r.day}`;
  if (current && current.key === key && current.update) return current.update(r);
  if (current && current.dispose) current.dispose();
  current = null;
  let v;
  switch (r.page) {
    case 'login': v = loginView(root, r); break;
    case 'overview': v = overviewView(r); break;
    case 'day': v = dayView(r); break;
    case 'sensors': v = sensorsView(r); break;
    case 'trails': v = trailsView(r); break;
    case 'sql': v = sqlView(r); break;
    default: v = { el: h('div.empty', 'Not found') };
  }
  current = { key, ...v };
  if (r.page !== 'login') shell(r, v.el);
  if (v.mounted) v.mounted();
}

let gPending = false;
document.addEventListener('keydown', (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
  if (e.key === 'Escape' && typing) { e.target.blur(); return; }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  if (current && current.onkey && current.onkey(e)) { e.preventDefault(); return; }
  const r = parseHash();
  const tenant = r.tenant || (getSession() || {}).tenant;
  if (gPending) {
    gPending = false;
    const page = { o: 'overview', d: 'day', s: 'sensors', t: 'trails', q: 'sql' }[e.key];
    if (page && getSession()) go(page === 'overview' ? { page } : { page, tenant, day: r.day });
    return;
  }
  if (e.key === 'g') gPending = true;
  else if (e.key === 't') toggleTheme();
  else if (e.key === '?') showHelp();
});

onSession((s) => { if (!s) { tenants = null; } });
window.addEventListener('hashchange', render);
render();
