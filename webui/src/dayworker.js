// The page's side of the day worker: requests with promises, pushes as callbacks.

export class DayWorker {
  constructor(handlers) {
    this.w = new Worker(new URL('./worker.js', import.meta.url));
    this.seq = 0;
    this.wait = new Map();
    this.handlers = handlers;
    this.w.onmessage = (e) => {
      const m = e.data;
      if (m.seq !== undefined && this.wait.has(m.seq)) {
        const { resolve, reject } = this.wait.get(m.seq);
        this.wait.delete(m.seq);
        if (m.op === 'error') reject(new Error(m.message));
        else resolve(m);
        return;
      }
      const f = this.handlers[m.op];
      if (f) f(m);
    };
  }
  send(m) {
    this.w.postMessage(m);
  }
  ask(m) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.wait.set(seq, { resolve, reject });
      this.w.postMessage({ ...m, seq });
    });
  }
  terminate() {
    this.w.terminate();
    for (const { reject } of this.wait.values()) reject(new Error('view closed'));
    this.wait.clear();
  }
}
