// The MSSP overview: every tenant's sensor health, today's high-severity
// events and the 7-day trend, each card a way into that tenant.

import { api } from '../api.js';
import { clear, h, isoDay, num } from '../lib/dom.js';
import { cssVar, trendChart } from '../lib/charts.js';

export function overviewView() {
  const grid = h('div.tenant-grid', h('div.loading', 'Loading tenants…'));
  const summary = h('div.ov-summary');
  const el = h('div.page', h('div.page-head', h('h2', 'All tenants'), summary), grid);
  const charts = [];
  (async () => {
    let data;
    try {
      data = await api('GET', '/overview');
    } catch (err) {
      clear(grid, h('div.error', 'Cannot load the overview: ' + err.message));
      return;
    }
    const list = (data.tenants || []).slice().sort((a, b) => b.high_events_today - a.high_events_today || b.events_today - a.events_today);
    const tot = list.reduce((a, t) => ({ up: a.up + t.sensors_up, down: a.down + t.sensors_down, ev: a.ev + t.events_today, hi: a.hi + t.high_events_today }), { up: 0, down: 0, ev: 0, hi: 0 });
    clear(summary, stat('Tenants', list.length), stat('Sensors up', tot.up), stat('Sensors down', tot.down, tot.down ? 'bad' : ''),
      stat('Events today', tot.ev), stat('High severity today', tot.hi, tot.hi ? 'bad' : ''));
    const today = isoDay(new Date());
    clear(grid, list.map((t) => {
      const chart = h('div.trend');
      const card = h('a.tenant-card', { href: `#/t/${encodeURIComponent(t.tenant)}/day/${tenantToday(t, today)}`, 'data-tenant': t.tenant },
        h('div.tc-head', h('b', t.name || t.tenant), h('span.muted', t.tenant),
          h('span.health' + (t.sensors_down ? '.bad' : t.sensors_up ? '.ok' : ''), t.sensors_down ? `${t.sensors_down} sensor${t.sensors_down > 1 ? 's' : ''} down` : t.sensors_up ? 'all sensors up' : 'no sensors')),
        t.error ? h('div.error', t.error) : null,
        h('div.tc-stats', h('div', h('span.big' + (t.high_events_today ? '.hi' : ''), num(t.high_events_today)), h('small', 'high severity today')),
          h('div', h('span.big', num(t.events_today)), h('small', 'events today')),
          h('div', h('span.big', `${t.sensors_up}/${t.sensors_up + t.sensors_down}`), h('small', 'sensors up'))),
        h('div.muted.small', '7-day trend'), chart);
      charts.push(() => {
        const trend = t.trend || [];
        if (trend.length) trendChart(chart, trend.map((d) => d.day), trend.map((d) => d.events), cssVar('--accent'));
      });
      return card;
    }));
    requestAnimationFrame(() => charts.forEach((f) => f()));
  })();
  return { el };
}

function stat(label, n, cls = '') {
  return h('div.ov-stat' + (cls ? '.' + cls : ''), h('span.big', num(n)), h('small', label));
}

// tenantToday is the tenant's today as the API counted it (the last day of
// its trend, in the tenant's time zone), else fallback.
function tenantToday(t, fallback) {
  const trend = t.trend || [];
  return trend.length ? trend[trend.length - 1].day : fallback;
}
