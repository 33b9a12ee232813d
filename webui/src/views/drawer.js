// The threat drawer: what the threat is, its events, triage shared with
// the tenant's analysts, and pivots into the grid.

import { api, getSession, tenantPath } from '../api.js';
import { h, num, SEV, span, stamp, toast } from '../lib/dom.js';
import { clock } from '../lib/zone.js';
import { sparkline } from '../lib/charts.js';
import { chipFor } from '../lib/query.js';
import { uidHue } from '../lib/threats.js';
import { defang } from '../lib/export.js';

const STATUSES = [['open', 'Open'], ['investigating', 'Investigating'], ['resolved', 'Resolved'], ['false-positive', 'False positive']];
const RAW_SHOWN = 200;

export function openDrawer(t, o) {
  const canTriage = ['analyst', 'tenant-admin', 'mssp-admin'].includes((getSession() || {}).role);
  let status = t.status === 'new' ? 'open' : t.status;
  let tags = t.tags.slice();
  const statusBtns = h('div.seg', { id: 'triage-status' }, STATUSES.map(([v, label]) => h('button' + (v === status ? '.on' : ''), {
    'data-status': v, disabled: !canTriage, onclick: (e) => { status = v; statusBtns.querySelectorAll('button').forEach((b) => b.classList.toggle('on', b === e.target)); },
  }, label)));
  const tagBox = h('div.tags');
  const tagInput = h('input', { id: 'tag-input', placeholder: 'add tag, Enter', disabled: !canTriage, maxlength: 64,
    onkeydown: (e) => {
      if (e.key !== 'Enter') return;
      const v = tagInput.value.trim().replace(/,/g, ' ');
      if (v && !tags.includes(v)) tags.push(v);
      tagInput.value = '';
      drawTags();
    } });
  const drawTags = () => tagBox.replaceChildren(...tags.map((g) => h('span.tag', g, canTriage ? h('button', { onclick: () => { tags = tags.filter((x) => x !== g); drawTags(); } }, '×') : null)), tagInput);
  drawTags();
  const notes = h('textarea', { id: 'triage-notes', rows: 3, placeholder: 'Notes shared with your team', disabled: !canTriage }, t.note);
  const saveBtn = h('button.primary', { id: 'triage-save', disabled: !canTriage, onclick: save }, 'Save triage');
  const triageMeta = h('small.muted', { id: 'triage-meta' });

  async function save() {
    saveBtn.disabled = true;
    try {
      const res = await api('PUT', tenantPath(o.tenant, '/triage/' + t.uid), { status, tags, notes: notes.value });
      triageMeta.textContent = `Saved by ${res.updated_by} at ${stamp(Date.parse(res.updated_at))}`;
      toast('Triage saved');
      o.saved(res);
    } catch (err) {
      toast('Cannot save triage: ' + err.message, 'bad');
    } finally {
      saveBtn.disabled = !canTriage;
    }
  }
  api('GET', tenantPath(o.tenant, '/triage/' + t.uid)).then((res) => {
    triageMeta.textContent = `Last saved by ${res.updated_by} at ${stamp(Date.parse(res.updated_at))}`;
  }).catch(() => {});

  const pivot = (field, value, label) => h('button.chipbtn', { title: `Filter ${field}:${value}`, onclick: () => o.filter(chipFor(field, value)) }, label || value);
  const list = (label, field, vals) => vals.length ? h('div.kv', h('span.k', label), h('span.v', vals.slice(0, 40).map((v) => v === '…' ? h('span.muted', '…') : pivot(field, v)))) : null;
  const ext = [...t.src, ...t.dst].find((ip) => ip !== '…' && !/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|fc|fd|fe80)/.test(ip));
  const rawRows = t.events.slice(0, RAW_SHOWN);
  const ctx = (e) => [e.http_method && `${e.http_method} ${e.http_host}${e.http_uri}`, e.tls_sni && `SNI ${e.tls_sni}`, e.ja4 && `JA4 ${e.ja4}`,
    e.http_user_agent && `UA ${e.http_user_agent}`, e.cert_sha1 && `cert ${e.cert_sha1}`, e.count > 1 && `×${e.count}`].filter(Boolean).join(' · ');

  const close = () => {
    back.remove();
    panel.remove();
    o.closed();
  };
  const back = h('div.drawer-back', { onclick: close });
  const panel = h('aside.drawer', { id: 'drawer', role: 'dialog', 'aria-label': 'Threat ' + t.uid },
    h('div.drawer-head',
      h('span.uid', { style: { background: `hsl(${uidHue(t.uid)},50%,42%)` } }, t.uid),
      h('span.sev.sev' + t.sev, SEV[t.sev]), h('span.type', t.type), t.cls ? h('span.cls-label', t.cls) : null,
      h('div.grow'), h('button.icon', { title: 'Close (Esc)', onclick: close }, '×')),
    h('div.drawer-body',
      h('div.trail-full.mono', t.trail),
      h('div.info-line', t.info, h('span.muted', ' · ' + t.ref)),
      h('div.dstats',
        h('div', h('b', num(t.count)), h('small', 'events')), h('div', h('b', num(t.nsrc)), h('small', 'sources')),
        h('div', h('b', num(t.dst.length)), h('small', 'destinations')), h('div', h('b', span(t.last - t.first)), h('small', 'span'))),
      h('div.hist', sparkline(t.hours, `var(--sev-${['', 'low', 'med', 'high'][t.sev]})`, 360, 48), h('div.muted.small', `${clock(t.first, o.zone)} → ${clock(t.last, o.zone)} ${o.zone}`)),
      h('section', h('h4', 'Triage'), statusBtns, tagBox, notes, h('div.actions', saveBtn, triageMeta)),
      h('section', h('h4', 'Pivots'),
        h('div.pivots', pivot('src', t.src[0], `Only source ${t.src[0]}`), pivot('trail', t.nt || t.trail, `Only this trail`),
          h('button.chipbtn', { onclick: () => o.filter(chipFor('src', t.src[0], true)) }, `Exclude source`),
          h('span.muted', `${t.sameSrc} other threats from this source · ${t.sameTrail} on this trail`)),
        ext ? h('div.muted.small', 'Indicator (defanged): ', h('code', defang(t.nt || t.trail))) : null),
      h('section', h('h4', 'Values'),
        list('Sources', 'src', t.src), list('Destinations', 'dst', t.dst), list('Dst ports', 'dport', t.dport),
        list('Src ports', 'sport', t.sport), list('Protocols', 'proto', t.proto), list('Sensors', 'sensor', t.sensor)),
      h('section', h('h4', `Events (${num(t.rows)} rows${t.rows > rawRows.length ? `, first ${rawRows.length} shown` : ''})`),
        h('table.raw', { id: 'raw-events' }, h('thead', h('tr', [`Time (${o.zone})`, 'Sensor', 'Source', 'Destination', 'Proto', 'Trail', 'Context'].map((c) => h('th', c)))),
          h('tbody', rawRows.map((e) => h('tr',
            h('td.mono', clock(e.time, o.zone, true)), h('td', e.sensor), h('td.mono', e.src_ip + (e.src_port ? ':' + e.src_port : '')),
            h('td.mono', e.dst_ip + (e.dst_port ? ':' + e.dst_port : '')), h('td', e.proto), h('td.mono', e.trail), h('td.small', ctx(e)))))))));
  document.body.append(back, panel);
  return { close };
}
