// Custom trails and whitelist of the tenant.

import { api, getSession, tenantPath } from '../api.js';
import { clear, h, stamp, toast } from '../lib/dom.js';

export function trailsView(r) {
  const tenant = r.tenant;
  const admin = ['tenant-admin', 'mssp-admin'].includes((getSession() || {}).role);
  const el = h('div.page.two-col',
    section('Custom trails', 'Indicators your sensors flag as high severity, in addition to the global feeds.', '/trails', 'trails',
      [['trail', 'domain, IP, IP:port, URL or CIDR'], ['info', 'e.g. acme c2 (malware)']], (x) => [x.trail, x.type, x.info, stamp(Date.parse(x.created_at)).slice(0, 16)],
      ['Trail', 'Type', 'Info', 'Added'], 'trail'),
    section('Whitelist', 'Indicators never reported for this tenant.', '/whitelist', 'whitelist',
      [['entry', 'domain, IP or CIDR'], ['comment', 'why it is safe']], (x) => [x.entry, x.comment, stamp(Date.parse(x.created_at)).slice(0, 16)],
      ['Entry', 'Comment', 'Added'], 'entry'));

  function section(title, blurb, path, key, fields, cells, heads, noun) {
    const table = h('table.grid');
    const inputs = fields.map(([f, ph]) => h('input', { name: f, id: `${key}-${f}`, placeholder: ph }));
    const form = h('form.inline', { onsubmit: async (e) => {
      e.preventDefault();
      const body = Object.fromEntries(fields.map(([f], i) => [f, inputs[i].value.trim()]));
      try {
        await api('POST', tenantPath(tenant, path), body);
        inputs.forEach((i) => { i.value = ''; });
        load();
      } catch (err) {
        toast(err.message, 'bad');
      }
    } }, inputs, h('button.primary', { type: 'submit' }, 'Add'));
    async function load() {
      try {
        const list = (await api('GET', tenantPath(tenant, path)))[key] || [];
        clear(table, h('thead', h('tr', heads.map((c) => h('th', c)), h('th'))), h('tbody', list.length ? list.map((x) => h('tr',
          cells(x).map((c, i) => h(i === 0 ? 'td.mono' : 'td', c || '')),
          h('td.actions', admin ? h('button.ghost.danger', { onclick: async () => {
            try {
              await api('DELETE', tenantPath(tenant, `${path}?${noun}=${encodeURIComponent(x[noun])}`));
              load();
            } catch (err) { toast(err.message, 'bad'); }
          } }, 'Remove') : null))) : h('tr', h('td.empty', { colSpan: heads.length + 1 }, 'None yet.'))));
      } catch (err) {
        clear(table, h('tr', h('td.error', err.message)));
      }
    }
    load();
    return h('section.panel', h('div.panel-head', h('h3', title)), h('p.muted', blurb), admin ? form : null, table);
  }
  return { el };
}
