// The live tail: the API's server-sent events read through fetch (so the
// request carries the bearer token, which EventSource cannot send),
// reconnecting after a drop.

import { tenantPath, token } from './api.js';

export class LiveTail {
  constructor(tenant, onevents, onstate) {
    this.tenant = tenant;
    this.onevents = onevents;
    this.onstate = onstate;
    this.ctrl = null;
    this.retry = 0;
  }

  start() {
    if (this.ctrl) return;
    this.ctrl = new AbortController();
    this.onstate(true);
    this.run(this.ctrl.signal);
  }

  stop() {
    if (this.ctrl) this.ctrl.abort();
    this.ctrl = null;
    clearTimeout(this.retry);
    this.onstate(false);
  }

  async run(signal) {
    try {
      const res = await fetch('/api/v1' + tenantPath(this.tenant, '/live'), {
        headers: { Authorization: 'Bearer ' + (await token()), Accept: 'text/event-stream' }, signal,
      });
      if (!res.ok) throw new Error('live: ' + res.status);
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let end;
        const batch = [];
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev = parseSSE(block);
          if (ev && ev.event === 'event') {
            try { batch.push(JSON.parse(ev.data)); } catch { /* skip a malformed event */ }
          }
        }
        if (batch.length) this.onevents(batch);
      }
    } catch (err) {
      if (signal.aborted) return;
    }
    if (!signal.aborted) this.retry = setTimeout(() => this.run(signal), 3000);
  }
}

/** parseSSE reads one server-sent event block. */
export function parseSSE(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}
