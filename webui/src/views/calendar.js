// The day picker: months as heat-map grids coloured by events per day.

import { api, tenantPath } from '../api.js';
import { h, isoDay, num } from '../lib/dom.js';

const BUCKETS = [1, 500, 1000, 5000, 10000];

function bucket(n) {
  let b = 0;
  for (const t of BUCKETS) if (n >= t) b++;
  return b;
}

/** openCalendar shows the picker under anchor; onpick(day) when a day is chosen. */
export function openCalendar(anchor, tenant, day, onpick) {
  document.querySelector('.calendar')?.remove();
  const sel = new Date(day + 'T00:00:00Z');
  const today = isoDay(new Date());
  const first = new Date(Date.UTC(sel.getUTCFullYear(), sel.getUTCMonth() - 2, 1));
  const last = new Date(Date.UTC(sel.getUTCFullYear(), sel.getUTCMonth() + 1, 0));
  const months = h('div.cal-months');
  const box = h('div.calendar', { id: 'calendar', role: 'dialog' }, months,
    h('div.cal-legend', 'fewer', BUCKETS.map((_, i) => h('i.b' + (i + 1))), 'more'));
  const close = (e) => {
    if (e && (box.contains(e.target) || anchor.contains(e.target))) return;
    box.remove();
    document.removeEventListener('mousedown', close);
  };
  document.addEventListener('mousedown', close);
  const r = anchor.getBoundingClientRect();
  box.style.top = r.bottom + 6 + 'px';
  box.style.left = Math.max(8, r.left + r.width / 2 - 370) + 'px';
  document.body.append(box);
  const draw = (counts) => {
    months.replaceChildren();
    for (let m = 0; m < 3; m++) {
      const start = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1));
      const days = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).getUTCDate();
      const cells = [];
      const lead = (start.getUTCDay() + 6) % 7;
      for (let i = 0; i < lead; i++) cells.push(h('span.cal-pad'));
      for (let d = 1; d <= days; d++) {
        const iso = isoDay(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), d)));
        const n = counts.get(iso) || 0;
        const future = iso > today;
        cells.push(h('button.cal-day.b' + bucket(n) + (iso === day ? '.sel' : '') + (iso === today ? '.today' : ''), {
          disabled: future, 'data-day': iso, title: `${iso}: ${num(n)} events`,
          onclick: () => { close(); onpick(iso); },
        }, String(d)));
      }
      months.append(h('div.cal-month', h('div.cal-title', start.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })),
        h('div.cal-grid', ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'].map((d) => h('span.cal-dow', d)), cells)));
    }
  };
  draw(new Map());
  api('GET', tenantPath(tenant, `/counts?from=${isoDay(first)}&to=${isoDay(last)}`))
    .then((res) => draw(new Map((res.days || []).map((d) => [d.day, d.events]))))
    .catch(() => {});
}
