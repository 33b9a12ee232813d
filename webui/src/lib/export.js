// Exports of the filtered threat view: CSV, JSON and a defanged IOC list.

export const EXPORT_FIELDS = ['severity', 'uid', 'events', 'first_seen', 'last_seen', 'sensors', 'sources',
  'destinations', 'ports', 'protocols', 'type', 'trail', 'info', 'reference', 'status', 'tags'];

/** exportRecord is one threat as the export's flat record (lists as arrays). */
export function exportRecord(t) {
  return {
    severity: ['', 'low', 'medium', 'high'][t.sev] || '', uid: t.uid, events: t.count,
    first_seen: new Date(t.first).toISOString(), last_seen: new Date(t.last).toISOString(),
    sensors: t.sensor, sources: t.src, destinations: t.dst, ports: t.dport, protocols: t.proto,
    type: t.type, trail: t.trail, info: t.info, reference: t.ref, status: t.status, tags: t.tags,
  };
}

/** csvCell quotes a value and neutralises spreadsheet formulas. */
export function csvCell(v) {
  let s = Array.isArray(v) ? v.join(' ') : String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function toCSV(threats) {
  const lines = [EXPORT_FIELDS.join(',')];
  for (const t of threats) {
    const r = exportRecord(t);
    lines.push(EXPORT_FIELDS.map((f) => csvCell(r[f])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function toJSON(threats) {
  return JSON.stringify(threats.map(exportRecord), null, 1);
}

/** defang makes an indicator safe to paste: hxxp, [://], [.]. */
export function defang(s) {
  return s.replace(/^http/i, (m) => m.slice(0, 1) + 'xx' + m.slice(3)).replace(/:\/\//g, '[://]').replace(/\./g, '[.]');
}

/** toIOCs lists each threat's indicator (its normalised trail) once, defanged. */
export function toIOCs(threats, norm) {
  const seen = new Set();
  const out = [];
  for (const t of threats) {
    const ioc = norm(t.trail);
    if (!ioc || seen.has(ioc)) continue;
    seen.add(ioc);
    out.push(defang(ioc));
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
