// Sensors: health from last contact, enrolment (the credentials are shown
// once), revoke and rotate.

import { api, getSession, tenantPath } from '../api.js';
import { ago, clear, h, stamp, toast } from '../lib/dom.js';

// A sensor not heard from in this long is shown as down.
const DOWN_AFTER = 10 * 60 * 1000;

export function sensorsView(r) {
  const tenant = r.tenant;
  const admin = ['tenant-admin', 'mssp-admin'].includes((getSession() || {}).role);
  const table = h('table.grid.sensors', { id: 'sensors' });
  const creds = h('div');
  const name = h('input', { id: 'sensor-name', placeholder: 'sensor name, e.g. edge-fra-1', maxlength: 64 });
  const enroll = h('form.inline', { onsubmit: async (e) => {
    e.preventDefault();
    try {
      const c = await api('POST', tenantPath(tenant, '/sensors'), { name: name.value.trim() });
      name.value = '';
      clear(creds, h('div.notice', h('b', `Sensor ${c.name} enrolled. `), 'Copy these now; they are not shown again.',
        h('pre.mono', { id: 'sensor-credentials' }, `spoor sensor --collector ${location.origin} --token ${c.token}\n# UDP: key id ${c.udp_key_id}, key ${c.udp_key}`)));
      load();
    } catch (err) {
      toast('Cannot enroll: ' + err.message, 'bad');
    }
  } }, name, h('button.primary', { type: 'submit', id: 'enroll-submit' }, 'Enroll sensor'));
  const el = h('div.page', h('div.page-head', h('h2', 'Sensors'), admin ? enroll : null), creds, h('section.panel', table));

  async function act(s, what) {
    if (what !== 'rotate' && !confirm(`${what} sensor ${s.name}?`)) return;
    try {
      const res = await api(what === 'delete' ? 'DELETE' : 'POST', tenantPath(tenant, `/sensors/${encodeURIComponent(s.id)}${what === 'delete' ? '' : '/' + what}`));
      if (what === 'rotate' && res) clear(creds, h('div.notice', h('b', `New credentials for ${s.name}. `), 'The old token stops working.', h('pre.mono', `token ${res.token}\nudp key id ${res.udp_key_id}, key ${res.udp_key}`)));
      load();
    } catch (err) {
      toast(`Cannot ${what}: ${err.message}`, 'bad');
    }
  }

  async function load() {
    let list;
    try {
      list = (await api('GET', tenantPath(tenant, '/sensors'))).sensors || [];
    } catch (err) {
      clear(table, h('tr', h('td.error', err.message)));
      return;
    }
    const now = Date.now();
    clear(table, h('thead', h('tr', ['Health', 'Name', 'ID', 'Last seen', 'Enrolled', 'UDP key', ''].map((c) => h('th', c)))),
      h('tbody', list.length ? list.map((s) => {
        const seen = s.last_seen ? Date.parse(s.last_seen) : 0;
        const health = s.revoked ? ['revoked', 'muted'] : !seen ? ['never seen', 'muted'] : now - seen > DOWN_AFTER ? ['down', 'bad'] : ['up', 'ok'];
        return h('tr', { 'data-sensor': s.name },
          h('td', h('span.health.' + health[1], health[0])), h('td', h('b', s.name)), h('td.mono.small', s.id),
          h('td', seen ? h('span', { title: stamp(seen) }, ago(seen, now)) : '—'), h('td.small', stamp(Date.parse(s.created_at)).slice(0, 16)),
          h('td.mono.small', s.udp_key_id || ''),
          h('td.actions', admin && !s.revoked ? [h('button.ghost', { onclick: () => act(s, 'rotate') }, 'Rotate'), h('button.ghost', { onclick: () => act(s, 'revoke') }, 'Revoke')] : null,
            admin ? h('button.ghost.danger', { onclick: () => act(s, 'delete') }, 'Delete') : null));
      }) : h('tr', h('td.empty', { colSpan: 7 }, 'No sensors enrolled yet.'))));
  }
  load();
  return { el };
}
