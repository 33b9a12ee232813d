// The day view: a day's events streamed into the worker, then stat cards,
// the hourly timeline, and the threat grid with search, chips, paging,
// exports, live mode and the detail drawer.

import { api, tenantPath, token } from '../api.js';
import { clear, download, h, isoDay, num, SEV, short, span, toast, ago } from '../lib/dom.js';
import { clock, dayStartMs, localDay, validZone } from '../lib/zone.js';
import { bars, cssVar, donut, hourChart, PALETTE, sparkline, splitBar } from '../lib/charts.js';
import { chipFor } from '../lib/query.js';
import { uidHue } from '../lib/threats.js';
import { go } from '../route.js';
import { DayWorker } from '../dayworker.js';
import { openCalendar } from './calendar.js';
import { openDrawer } from './drawer.js';
import { LiveTail } from '../live.js';

const COLUMNS = [
  ['uid', 'Threat'], ['sensor', 'Sensor'], ['count', 'Events'], ['sev', 'Severity'], [null, 'Last 24 h'],
  ['src', 'Source'], ['dst', 'Destination'], ['port', 'Port'], ['proto', 'Proto'], ['type', 'Type'],
  ['trail', 'Trail'], ['info', 'Info'], ['first', 'First seen'], ['status', 'Status'],
];
const RISKY_PORTS = new Set(['23', '445', '1337', '3389', '4444', '5900', '6666', '6667', '9001', '12345', '31337']);
const TYPE_COLORS = { DNS: '#3b82f6', IP: '#ef4444', IPORT: '#a16207', URL: '#f59e0b', UA: '#a855f7', HTTP: '#22c55e', PORT: '#14b8a6', PATH: '#6366f1', CERT: '#84cc16', SNI: '#06b6d4', JA4: '#ec4899' };

export function dayView(r) {
  const state = readState(r);
  const tenant = r.tenant;
  let day = r.day;
  let totals = null, lastView = null, selected = 0, chart = null, drawer = null, loaded = false;
  let triageList = [];
  let zone = 'UTC';

  const progress = h('div.progress', h('div.progress-fill'));
  const zoneLabel = h('h3', 'Events by hour');
  const progressText = h('span.progress-text', { id: 'progress-text' });
  const cards = h('div.cards');
  const timeline = h('div.timeline', { id: 'timeline' });
  const search = h('input.search', { id: 'search', type: 'search', placeholder: 'Search threats   e.g.  src:10.0.0.0/8 type:DNS,URL -status:resolved   ( / )', spellcheck: false, value: state.q });
  const searchErr = h('div.search-error', { id: 'search-error' });
  const sevPills = h('div.pills');
  const chips = h('div.chips', { id: 'chips' });
  const count = h('span.count', { id: 'result-count' });
  const grid = h('table.grid', { id: 'grid' });
  const pager = h('div.pager', { id: 'pager' });
  const liveBtn = h('button.live', { id: 'live', title: 'Live mode (l)', onclick: () => toggleLive() }, h('i.dot'), 'Live');
  const freshPill = h('span.fresh', { hidden: true });
  const dayBtn = h('button.day', { id: 'day-button', title: 'Pick a day (c)', onclick: () => openCalendar(dayBtn, tenant, day, (d) => go({ page: 'day', tenant, day: d }, paramsOf(state))) }, day);
  const nav = h('div.daynav',
    h('button.icon', { id: 'prev-day', title: 'Previous day (PgUp)', onclick: () => shiftDay(-1) }, '‹'), dayBtn,
    h('button.icon', { id: 'next-day', title: 'Next day (PgDn)', onclick: () => shiftDay(1), disabled: day >= localDay(Date.now(), zone) }, '›'),
    liveBtn, freshPill);
  const exportMenu = h('div.menu',
    h('button', { id: 'export', onclick: () => exportMenu.classList.toggle('open') }, 'Export ▾'),
    h('div.menu-list', ['csv', 'json', 'ioc'].map((f) => h('button', { 'data-format': f, onclick: () => { exportMenu.classList.remove('open'); doExport(f); } },
      { csv: 'CSV', json: 'JSON', ioc: 'Defanged IOCs' }[f]))));
  const pageSize = h('select', { id: 'page-size', title: 'Threats per page', onchange: (e) => setState({ ps: Number(e.target.value), page: 0 }) },
    [25, 50, 100, 200].map((n) => h('option', { value: n, selected: n === state.ps }, `${n} / page`)));

  const el = h('div.dayview', progress,
    h('div.status-line', progressText),
    cards,
    h('section.panel', h('div.panel-head', zoneLabel, h('div.legend', [3, 2, 1].map((s) => h('span', h('i.sev' + s), SEV[s])))), timeline),
    h('section.panel.threats',
      h('div.toolbar', h('div.search-box', search, searchErr), sevPills, chips, h('div.grow'), count, pageSize, exportMenu),
      h('div.grid-wrap', grid), pager));

  const worker = new DayWorker({
    progress: (m) => showProgress(m.loaded, m.expected),
    partial: (m) => { totals = m.totals; refresh(); },
    loaded: (m) => {
      totals = m.totals;
      loaded = true;
      progress.classList.add('done');
      const t = m.timing;
      progressText.textContent = `${num(totals.events)} events · ${num(totals.rows)} rows loaded in ${(t.total / 1000).toFixed(2)} s`;
      window.__spoor = { ...(window.__spoor || {}), loaded: { day, tenant, totals, timing: t } };
      refresh();
    },
    loadError: (m) => {
      progress.classList.add('failed');
      progressText.textContent = 'Cannot load the day: ' + m.message;
      if (m.status === 401) go({ page: 'login' });
    },
    updated: (m) => {
      totals = m.totals;
      progressText.textContent = `${num(totals.events)} events · ${num(totals.rows)} rows · live`;
      if (m.fresh.length) {
        freshPill.hidden = false;
        freshPill.textContent = `${(Number(freshPill.dataset.n) || 0) + m.fresh.length} new`;
        freshPill.dataset.n = (Number(freshPill.dataset.n) || 0) + m.fresh.length;
        if (m.freshHigh) toast(`${m.freshHigh} new high-severity threat${m.freshHigh > 1 ? 's' : ''}`, 'bad');
      }
      refresh();
    },
  });
  const live = new LiveTail(tenant, (events) => worker.send({ op: 'live', events }), (on) => liveBtn.classList.toggle('on', on));

  function showProgress(loadedN, expected) {
    const frac = expected ? Math.min(1, loadedN / expected) : 0.5;
    progress.firstChild.style.width = (frac * 100).toFixed(1) + '%';
    progressText.textContent = `Loading ${day}: ${num(loadedN)}${expected ? ' of ' + num(expected) : ''} rows…`;
  }

  async function load() {
    loaded = false;
    progress.classList.remove('done', 'failed');
    showProgress(0, 0);
    try {
      const t = await api('GET', tenantPath(tenant));
      if (t.time_zone && validZone(t.time_zone)) zone = t.time_zone;
    } catch { /* UTC */ }
    const next = new Date(day + 'T00:00:00Z');
    next.setUTCDate(next.getUTCDate() + 1);
    const start = dayStartMs(day, zone), end = dayStartMs(isoDay(next), zone);
    zoneLabel.textContent = `Events by hour (${zone})`;
    let expected = 0;
    try {
      const c = await api('GET', tenantPath(tenant, `/counts?from=${day}&to=${day}`));
      expected = (c.days && c.days[0] && c.days[0].rows) || 0;
    } catch { /* the bar then only shows activity */ }
    // The console never shows event IDs; without them a day of small batches
    // streams smaller (one event a batch: 16.3 → 10.1 bytes an event).
    worker.send({ op: 'load', day, dayStart: start, dayEnd: end, expected, token: await token(), url: '/api/v1' + tenantPath(tenant, '/events?ids=false&day=' + day) });
    loadTriage();
  }

  async function loadTriage() {
    try {
      triageList = (await api('GET', tenantPath(tenant, '/triage'))).triage || [];
      worker.send({ op: 'triage', list: triageList });
      if (totals) refresh();
    } catch (err) {
      toast('Cannot load triage: ' + err.message, 'bad');
    }
  }

  function shiftDay(n) {
    const d = new Date(day + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + n);
    const iso = isoDay(d);
    if (iso > localDay(Date.now(), zone)) return;
    go({ page: 'day', tenant, day: iso }, paramsOf({ ...state, page: 0 }));
  }

  function setState(patch) {
    Object.assign(state, patch);
    go({ page: 'day', tenant, day }, paramsOf(state));
  }

  function addChip(q) {
    if (!state.chips.includes(q)) setState({ chips: state.chips.concat(q), page: 0 });
  }

  let refreshing = false, again = false;
  async function refresh() {
    if (!totals) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    const hash = location.hash;
    try {
      const m = await worker.ask({ op: 'view', q: state.q, chips: state.chips, sev: state.sev, sort: state.sort, dir: state.dir, page: state.page, size: state.ps });
      if (m.error) {
        searchErr.textContent = m.error;
        search.classList.add('bad');
      } else {
        searchErr.textContent = '';
        search.classList.remove('bad');
        lastView = m;
        renderAll(m);
      }
      // Tests (and anyone debugging) can tell which state the page shows.
      window.__spoor = { ...(window.__spoor || {}), rendered: hash };
    } catch (err) {
      if (err.message !== 'view closed') toast(err.message, 'bad');
    } finally {
      refreshing = false;
      if (again) { again = false; refresh(); }
    }
  }

  function renderAll(m) {
    renderCards(m.stats);
    renderTimeline(m.stats);
    renderToolbar(m);
    renderGrid(m);
    renderPager(m);
  }

  function renderCards(st) {
    const dominant = st.sevEvents[3] ? 3 : st.sevEvents[2] ? 2 : st.sevEvents[1] ? 1 : 0;
    const hours = new Array(24).fill(0);
    for (const sh of st.sevHours) for (let i = 0; i < 24; i++) hours[i] += sh[i];
    const card = (id, label, big, sub, viz, cls = '') => h('div.card' + cls, { id: 'card-' + id },
      h('div.card-text', h('small', label), h('span.big', big), h('span.sub', sub)), h('div.card-viz', viz));
    clear(cards,
      card('threats', 'Threats', num(st.threats), `${num(st.sevThreats[3])} high`,
        donut(st.topThreats.map((t, i) => ({ name: t.name, label: `${t.name} ${t.label}`, n: t.n, color: `hsl(${uidHue(t.name)},55%,55%)` })), 58, (uid) => addChip(chipFor('uid', uid)))),
      card('events', 'Events', num(st.events), `${short(Math.max(...hours))} in peak hour`, sparkline(hours, 'var(--accent)', 120, 40)),
      card('severity', 'Severity', dominant ? SEV[dominant] : '—', `${num(st.sevEvents[3])} high · ${num(st.sevEvents[2])} med · ${num(st.sevEvents[1])} low`,
        h('div.sev-viz', splitBar([st.sevEvents[3], st.sevEvents[2], st.sevEvents[1]], ['var(--sev-high)', 'var(--sev-med)', 'var(--sev-low)']),
          h('div.sev-picks', [3, 2, 1].map((s) => h('button.sevchip.sev' + s, { onclick: () => setState({ sev: state.sev === s ? 0 : s, page: 0 }) }, SEV[s])))), dominant ? '.sev-' + dominant : ''),
      card('sources', 'Sources', num(st.sources), st.topSources[0] ? `top ${st.topSources[0].name}` : '',
        bars(st.topSources.slice(0, 3), (src) => addChip(chipFor('src', src)))),
      card('trails', 'Trails', num(st.trails), st.topTrails[0] ? `top ${st.topTrails[0].name}` : '',
        donut(st.topTrails.map((t) => ({ name: t.name, n: t.n })), 58, (tr) => addChip(chipFor('trail', tr)))));
  }

  function renderTimeline(st) {
    if (chart) chart.destroy();
    timeline.replaceChildren();
    chart = hourChart(timeline, [
      { label: 'low', color: cssVar('--sev-low'), values: st.sevHours[0] },
      { label: 'medium', color: cssVar('--sev-med'), values: st.sevHours[1] },
      { label: 'high', color: cssVar('--sev-high'), values: st.sevHours[2] },
    ]);
  }

  function renderToolbar(m) {
    const st = m.stats;
    clear(sevPills, [0, 3, 2, 1].map((s) => h('button.pill' + (state.sev === s ? '.on' : '') + (s ? '.sev' + s : ''), {
      'data-sev': s, onclick: () => setState({ sev: s, page: 0 }),
    }, s ? SEV[s] : 'all', s ? h('b', num(st.sevThreats[s])) : null)));
    clear(chips, state.chips.map((c) => h('span.chip', c, h('button', { title: 'Remove filter', onclick: () => setState({ chips: state.chips.filter((x) => x !== c), page: 0 }) }, '×'))));
    count.textContent = m.total === m.all ? `${num(m.total)} threats` : `${num(m.total)} of ${num(m.all)} threats`;
  }

  function renderGrid(m) {
    const head = h('thead', h('tr', COLUMNS.map(([key, label]) => h('th' + (key ? '.sortable' : '') + (state.sort === key ? '.sorted.' + state.dir : ''), {
      'data-col': key || '', onclick: key && (() => setState({ sort: key, dir: state.sort === key && state.dir === 'desc' ? 'asc' : 'desc', page: 0 })),
    }, label))));
    const now = Date.now();
    selected = Math.min(selected, Math.max(0, m.rows.length - 1));
    const body = h('tbody', m.rows.map((t, i) => h('tr' + (i === selected ? '.sel' : ''), { 'data-uid': t.uid, onclick: () => { selected = i; markSel(); open(t.uid); } },
      h('td', h('span.uid', { style: { background: `hsl(${uidHue(t.uid)},50%,42%)` } }, t.uid), t.note ? h('span.note-mark', { title: t.note }, '✎') : null),
      h('td', multi(t.sensor)),
      h('td.num', num(t.count)),
      h('td', h('span.sev.sev' + t.sev, SEV[t.sev])),
      h('td', sparkline(t.hours, `var(--sev-${['', 'low', 'med', 'high'][t.sev]})`)),
      h('td.mono', multi(t.src, t.nsrc)),
      h('td.mono', multi(t.dst)),
      h('td.mono', portCell(t)),
      h('td', multi(t.proto)),
      h('td', h('span.type', { style: { background: TYPE_COLORS[t.type] || '#64748b' } }, t.type)),
      h('td.trail.mono', { title: t.trail }, trailCell(t.trail)),
      h('td.info', { title: t.ref }, t.cls ? h('span.cls.' + t.cls, t.cls[0].toUpperCase()) : null, t.info),
      h('td.when', { title: `${clock(t.first, zone)} → ${clock(t.last, zone)} ${zone} (${span(t.last - t.first)})` }, day === localDay(now, zone) ? ago(t.first, now) : clock(t.first, zone)),
      h('td', t.status !== 'new' ? h('span.status.' + t.status, t.status) : null, t.tags.map((g) => h('span.tag', g))))));
    clear(grid, head, body);
    if (!m.rows.length) grid.append(h('tbody', h('tr', h('td.empty', { colSpan: COLUMNS.length }, loaded ? 'No threats match.' : 'Loading…'))));
  }

  function markSel() {
    grid.querySelectorAll('tbody tr').forEach((tr, i) => tr.classList.toggle('sel', i === selected));
    grid.querySelector('tbody tr.sel')?.scrollIntoView({ block: 'nearest' });
  }

  function renderPager(m) {
    const btn = (p, label = String(p + 1)) => h('button' + (p === m.page ? '.on' : ''), { 'data-page': p, disabled: p < 0 || p >= m.pages, onclick: () => setState({ page: p }) }, label);
    const pages = [];
    for (let p = 0; p < m.pages; p++) {
      if (p === 0 || p === m.pages - 1 || Math.abs(p - m.page) <= 2) pages.push(btn(p));
      else if (pages[pages.length - 1].tagName !== 'SPAN') pages.push(h('span', '…'));
    }
    clear(pager, btn(m.page - 1, '‹ Prev'), pages, btn(m.page + 1, 'Next ›'));
  }

  async function open(uid) {
    try {
      const m = await worker.ask({ op: 'detail', uid });
      if (!m.detail) return;
      if (drawer) drawer.close();
      drawer = openDrawer(m.detail, {
        tenant, day, zone,
        filter: (q) => addChip(q),
        saved: (t) => {
          triageList = triageList.filter((x) => x.threat !== t.threat).concat(t);
          worker.send({ op: 'triage', list: triageList });
          refresh();
        },
        removed: (uid2) => {
          triageList = triageList.filter((x) => x.threat !== uid2);
          worker.send({ op: 'triage', list: triageList });
          refresh();
        },
        closed: () => { drawer = null; },
      });
    } catch (err) {
      toast(err.message, 'bad');
    }
  }

  async function doExport(format) {
    try {
      const m = await worker.ask({ op: 'export', format, q: state.q, chips: state.chips, sev: state.sev, sort: state.sort, dir: state.dir });
      download(`spoor-${tenant}-${day}.${format === 'ioc' ? 'ioc.txt' : m.ext}`, m.body, m.type);
      window.__spoor = { ...(window.__spoor || {}), lastExport: { format, body: m.body } };
    } catch (err) {
      toast('Export failed: ' + err.message, 'bad');
    }
  }

  function toggleLive() {
    state.live = !state.live;
    go({ page: 'day', tenant, day }, paramsOf(state), true);
    if (state.live) {
      if (day !== localDay(Date.now(), zone)) return go({ page: 'day', tenant, day: localDay(Date.now(), zone) }, paramsOf(state));
      live.start();
    } else live.stop();
  }

  let typing = 0;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => setState({ q: search.value, page: 0 }), 250);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { clearTimeout(typing); setState({ q: search.value, page: 0 }); }
  });

  const onTheme = () => lastView && renderAll(lastView);
  window.addEventListener('spoor-theme', onTheme);
  const onResize = () => { if (chart) chart.setSize({ width: timeline.clientWidth, height: 150 }); };
  window.addEventListener('resize', onResize);

  return {
    el,
    mounted() {
      clear(document.getElementById('slot'), nav);
      load();
      if (state.live && day === localDay(Date.now(), zone)) live.start();
    },
    update(r2) {
      const next = readState(r2);
      Object.assign(state, next);
      if (search.value !== state.q && document.activeElement !== search) search.value = state.q;
      pageSize.value = String(state.ps);
      refresh();
    },
    dispose() {
      live.stop();
      worker.terminate();
      if (chart) chart.destroy();
      if (drawer) drawer.close();
      window.removeEventListener('spoor-theme', onTheme);
      window.removeEventListener('resize', onResize);
      document.querySelector('.calendar')?.remove();
    },
    onkey(e) {
      const rows = lastView ? lastView.rows : [];
      switch (e.key) {
        case '/': search.focus(); search.select(); return true;
        case 'Escape': if (drawer) { drawer.close(); return true; } return false;
        case 'ArrowRight': if (lastView && state.page < lastView.pages - 1) setState({ page: state.page + 1 }); return true;
        case 'ArrowLeft': if (state.page > 0) setState({ page: state.page - 1 }); return true;
        case 'ArrowDown': case 'j': selected = Math.min(rows.length - 1, selected + 1); markSel(); return true;
        case 'ArrowUp': case 'k': selected = Math.max(0, selected - 1); markSel(); return true;
        case 'Enter': if (rows[selected]) open(rows[selected].uid); return true;
        case 'PageUp': shiftDay(-1); return true;
        case 'PageDown': shiftDay(1); return true;
        case 'c': dayBtn.click(); return true;
        case 'l': toggleLive(); return true;
      }
      return false;
    },
  };
}

function readState(r) {
  const p = r.params;
  return {
    q: p.get('q') || '', chips: p.getAll('chip'), sev: Number(p.get('sev')) || 0,
    sort: p.get('sort') || 'risk', dir: p.get('dir') === 'asc' ? 'asc' : 'desc',
    page: Math.max(0, (Number(p.get('page')) || 1) - 1), ps: [25, 50, 100, 200].includes(Number(p.get('ps'))) ? Number(p.get('ps')) : 50,
    live: p.get('live') === '1',
  };
}

function paramsOf(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  for (const c of st.chips) p.append('chip', c);
  if (st.sev) p.set('sev', st.sev);
  if (st.sort !== 'risk') p.set('sort', st.sort);
  if (st.dir !== 'desc') p.set('dir', st.dir);
  if (st.page) p.set('page', st.page + 1);
  if (st.ps !== 50) p.set('ps', st.ps);
  if (st.live) p.set('live', '1');
  return p;
}

function multi(list, total) {
  if (!list.length) return '';
  if (list.length === 1) return list[0];
  const more = (total || list.length) - 1;
  return h('span.multi', { title: list.join('\n') }, list[0], h('span.more', `+${more}`));
}

function portCell(t) {
  const port = t.dport[0] || '';
  const risky = t.dport.some((p) => RISKY_PORTS.has(p));
  return h('span' + (risky ? '.risky' : ''), { title: `dst ${t.dport.join(', ')}\nsrc ${t.sport.join(', ')}` }, t.dport.length > 1 ? multi(t.dport) : port);
}

function trailCell(trail) {
  const parts = trail.split(/(\([^)]*\))/);
  return parts.map((p) => (p.startsWith('(') && p.length > 14 ? h('span.collapsed', { title: p }, '(…)') : p));
}

export { PALETTE };
