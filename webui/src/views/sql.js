// The SQL console over the tenant's event history (read-only, limited by the API).

import { api, tenantPath, token } from '../api.js';
import { clear, download, h, num, toast } from '../lib/dom.js';

const EXAMPLES = [
  'SELECT trail, count() AS n FROM events WHERE time >= today() - 7 GROUP BY trail ORDER BY n DESC LIMIT 20',
  'SELECT toDate(time) AS day, severity, sum(count) AS detections FROM events GROUP BY day, severity ORDER BY day DESC, severity DESC LIMIT 100',
  'SELECT src_ip, uniqExact(trail) AS trails, sum(count) AS detections FROM events GROUP BY src_ip ORDER BY detections DESC LIMIT 20',
];

export function sqlView(r) {
  const tenant = r.tenant;
  const key = 'spoor.sql.' + tenant;
  const editor = h('textarea.sql', { id: 'sql-input', spellcheck: false, rows: 6 }, r.params.get('q') || localStorage.getItem(key) || EXAMPLES[0]);
  const out = h('div.sql-out', { id: 'sql-result' });
  const meta = h('span.muted', { id: 'sql-meta' });
  const run = async () => {
    const q = editor.value.trim();
    if (!q) return;
    localStorage.setItem(key, q);
    clear(out, h('div.loading', 'Running…'));
    const t0 = performance.now();
    try {
      const res = await api('POST', tenantPath(tenant, '/sql'), { query: q });
      meta.textContent = `${num(res.rows.length)} rows${res.truncated ? ' (truncated)' : ''} in ${Math.round(performance.now() - t0)} ms`;
      clear(out, h('table.grid', h('thead', h('tr', res.columns.map((c) => h('th', { title: c.type }, c.name)))),
        h('tbody', res.rows.map((row) => h('tr', row.map((v) => h('td.mono', v === null ? h('span.muted', 'NULL') : typeof v === 'object' ? JSON.stringify(v) : String(v))))))));
    } catch (err) {
      meta.textContent = '';
      clear(out, h('div.error', { id: 'sql-error' }, err.message));
    }
  };
  const csv = async () => {
    try {
      const res = await fetch('/api/v1' + tenantPath(tenant, '/sql?format=csv'), { method: 'POST', headers: { Authorization: 'Bearer ' + (await token()), 'Content-Type': 'application/json' }, body: JSON.stringify({ query: editor.value }) });
      if (!res.ok) throw new Error((await res.json()).error);
      download(`spoor-${tenant}-query.csv`, await res.text(), 'text/csv');
    } catch (err) {
      toast('Export failed: ' + err.message, 'bad');
    }
  };
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  const el = h('div.page',
    h('div.page-head', h('h2', 'SQL'), h('span.muted', 'Read-only over this tenant\'s events table; time, row and memory limits apply.')),
    h('section.panel', editor, h('div.actions', h('button.primary', { id: 'sql-run', onclick: run }, 'Run  ⌃↵'), h('button', { onclick: csv }, 'Download CSV'),
      h('select', { onchange: (e) => { if (e.target.value) editor.value = e.target.value; e.target.value = ''; } }, h('option', { value: '' }, 'Examples…'), EXAMPLES.map((x) => h('option', { value: x }, x.slice(0, 70) + '…'))), meta)),
    h('section.panel', out));
  return { el };
}
