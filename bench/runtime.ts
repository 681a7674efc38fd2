// Runtime benchmark: message passing, pattern matching, selective receive and idle
// processes, each against a plain-JS anchor in the same run. `npm run bench:runtime`.
import { _, compilePatternForBench, makeRef, on, receive, self, send, spawn, spawnMonitor, type Pid } from './runtime-api.js';
import { fmt, median, printTable, type Row } from './table.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const rows: Row[] = [];

// ---- 1. send → receive, 1 producer → 1 consumer --------------------------------------
class Ring<T> {
  #buf: (T | undefined)[] = new Array(1024);
  #head = 0;
  #size = 0;
  get size(): number { return this.#size; }
  push(v: T): void {
    if (this.#size === this.#buf.length) {
      const next = new Array<T | undefined>(this.#buf.length * 2);
      for (let i = 0; i < this.#size; i++) next[i] = this.#buf[(this.#head + i) % this.#buf.length];
      this.#buf = next;
      this.#head = 0;
    }
    this.#buf[(this.#head + this.#size) % this.#buf.length] = v;
    this.#size++;
  }
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const v = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#size--;
    return v;
  }
}

/** The anchor: a ring-buffer queue whose consumer awaits a promise when it is empty. */
class AwaitingQueue<T> {
  readonly #ring = new Ring<T>();
  #wake: ((v: T) => void) | undefined;
  push(v: T): void {
    const wake = this.#wake;
    if (wake) {
      this.#wake = undefined;
      wake(v);
    } else this.#ring.push(v);
  }
  take(): Promise<T> {
    if (this.#ring.size > 0) return Promise.resolve(this.#ring.shift() as T);
    return new Promise((resolve) => { this.#wake = resolve; });
  }
}

const N = 1_000_000;
const BATCH = 1000;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function erlgunPassing(): Promise<number> {
  const me = self();
  const t0 = performance.now();
  const consumer = spawn(async () => {
    const clauses = [on(['msg', _], ([, n]) => n as number)] as const;
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await receive(clauses);
    send(me, ['done', sum]);
  });
  for (let i = 0; i < N; i += BATCH) {
    for (let j = 0; j < BATCH; j++) send(consumer, ['msg', 1]);
    await tick();
  }
  await receive([on(['done', _], () => undefined)]);
  return N / ((performance.now() - t0) / 1000);
}

async function anchorPassing(): Promise<number> {
  const q = new AwaitingQueue<readonly [string, number]>();
  const t0 = performance.now();
  const consumer = (async () => {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += (await q.take())[1];
    return sum;
  })();
  for (let i = 0; i < N; i += BATCH) {
    for (let j = 0; j < BATCH; j++) q.push(['msg', 1]);
    await tick();
  }
  await consumer;
  return N / ((performance.now() - t0) / 1000);
}

async function erlgunPingPong(): Promise<number> {
  // One message at a time: the consumer waits in receive for each one.
  const M = 200_000;
  const me = self();
  const t0 = performance.now();
  const echo: Pid = spawn(async () => {
    const clauses = [on(['ping', _], ([, n]) => n as number)] as const;
    for (let i = 0; i < M; i++) send(me, ['pong', await receive(clauses)]);
  });
  const pong = [on(['pong', _], () => undefined)] as const;
  for (let i = 0; i < M; i++) {
    send(echo, ['ping', i]);
    await receive(pong);
  }
  return M / ((performance.now() - t0) / 1000);
}

async function anchorPingPong(): Promise<number> {
  const M = 200_000;
  const a = new AwaitingQueue<number>();
  const b = new AwaitingQueue<number>();
  const t0 = performance.now();
  void (async () => { for (let i = 0; i < M; i++) b.push(await a.take()); })();
  for (let i = 0; i < M; i++) {
    a.push(i);
    await b.take();
  }
  return M / ((performance.now() - t0) / 1000);
}

async function best(f: () => Promise<number>, runs = 3): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    xs.push(await f());
  }
  return median(xs);
}

{
  await erlgunPassing();
  await anchorPassing();
  const e = await best(erlgunPassing);
  const a = await best(anchorPassing);
  rows.push({ case: `send→receive loop, 1→1, ${fmt(N)} msgs (msgs/s)`, erlgun: fmt(e, 0), anchor: fmt(a, 0), ratio: `${fmt(e / a)}×`, note: `target ≥ 5,000,000 msgs/s: ${e >= 5e6 ? 'met' : 'NOT met'}` });
  const ep = await best(erlgunPingPong);
  const ap = await best(anchorPingPong);
  rows.push({ case: 'ping-pong between 2 processes (round trips/s)', erlgun: fmt(ep, 0), anchor: fmt(ap, 0), ratio: `${fmt(ep / ap)}×`, note: 'each side waits in receive' });
}

// ---- 2. compiled pattern vs hand-written predicate -----------------------------------
{
  const pid = self();
  const ref = makeRef();
  const other = makeRef();
  const msgs: unknown[] = [];
  for (let i = 0; i < 1024; i++) {
    const k = i % 4;
    msgs.push(k === 0 ? ['gun_ws', pid, ref, ['text', `m${i}`]] : k === 1 ? ['gun_ws', pid, other, ['text', 'x']] : k === 2 ? ['gun_ws', pid, ref, ['binary', Buffer.alloc(1)]] : ['gun_data', pid, ref, 'fin', Buffer.alloc(1)]);
  }
  const compiled = compilePatternForBench(['gun_ws', pid, ref, ['text', _]]);
  const hand = (m: unknown): boolean => {
    if (!Array.isArray(m) || m.length !== 4 || m[0] !== 'gun_ws' || m[1] !== pid || m[2] !== ref) return false;
    const f: unknown = m[3];
    return Array.isArray(f) && f.length === 2 && f[0] === 'text';
  };
  const ROUNDS = 20_000;
  const time = (pred: (m: unknown) => boolean): [number, number] => {
    let hits = 0;
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < msgs.length; i++) if (pred(msgs[i])) hits++;
    return [((performance.now() - t0) * 1e6) / (ROUNDS * msgs.length), hits];
  };
  time(compiled);
  time(hand);
  const c = median([time(compiled)[0], time(compiled)[0], time(compiled)[0]]);
  const h = median([time(hand)[0], time(hand)[0], time(hand)[0]]);
  if (time(compiled)[1] !== time(hand)[1]) throw new Error('the predicates disagree');
  rows.push({ case: "match ['gun_ws', pid, ref, ['text', _]] (ns/match)", erlgun: fmt(c), anchor: fmt(h), ratio: `${fmt(c / h)}×`, note: `anchor: hand-written predicate; target within 3×: ${c / h <= 3 ? 'met' : 'NOT met'}` });
}

// ---- 3. selective receive behind a backlog ------------------------------------------
async function backlog(n: number): Promise<{ scanMs: number; drainNsPerMsg: number }> {
  return new Promise((resolve) => {
    const [pid] = spawnMonitor(async () => {
      const me = self();
      for (let i = 0; i < n; i++) send(me, ['noise', i]);
      send(me, ['target']);
      let t0 = performance.now();
      await receive([on(['target'], () => undefined)], 0);
      const scanMs = performance.now() - t0;
      const noise = [on(['noise', _], () => undefined)] as const;
      t0 = performance.now();
      for (let i = 0; i < n; i++) await receive(noise, 0);
      resolve({ scanMs, drainNsPerMsg: ((performance.now() - t0) * 1e6) / n });
    });
    void pid;
  });
}

async function anchorBacklog(n: number): Promise<number> {
  const ring = new Ring<readonly [string, number]>();
  for (let i = 0; i < n; i++) ring.push(['noise', i]);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await Promise.resolve(ring.shift());
  return ((performance.now() - t0) * 1e6) / n;
}

{
  await backlog(100_000);
  const b1 = await backlog(100_000);
  const b2 = await backlog(200_000);
  const a1 = await anchorBacklog(100_000);
  rows.push({ case: 'take 1 match behind 100,000 non-matching (ms)', erlgun: fmt(b1.scanMs), anchor: '—', ratio: '—', note: `one linear scan (${fmt((b1.scanMs * 1e6) / 100_000)} ns/message looked at)` });
  rows.push({ case: 'drain 100,000 / 200,000 by receive (ns/msg)', erlgun: `${fmt(b1.drainNsPerMsg)} / ${fmt(b2.drainNsPerMsg)}`, anchor: fmt(a1), ratio: `${fmt(b1.drainNsPerMsg / a1)}×`, note: `200k/100k per-message cost: ${fmt(b2.drainNsPerMsg / b1.drainNsPerMsg)} (1 = linear)` });
}

// ---- 4. 100,000 idle processes -------------------------------------------------------
{
  const P = 100_000;
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const h0 = heap();
  let t0 = performance.now();
  const pids: Pid[] = [];
  for (let i = 0; i < P; i++) pids.push(spawn(() => receive([on('stop', () => undefined)])));
  await tick();
  const spawnMs = performance.now() - t0;
  const perProc = (heap() - h0) / P;
  t0 = performance.now();
  const monitors = spawnMonitor(async () => undefined);
  void monitors;
  for (const p of pids) send(p, 'stop');
  await tick();
  await tick();
  const stopMs = performance.now() - t0;
  pids.length = 0;

  const h1 = heap();
  t0 = performance.now();
  const wakes: (() => void)[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < P; i++) pending.push((async () => { await new Promise<void>((r) => wakes.push(r)); })());
  await tick();
  const anchorMs = performance.now() - t0;
  const anchorPer = (heap() - h1) / P;
  for (const w of wakes) w();
  await Promise.all(pending);
  rows.push({ case: `spawn ${fmt(P)} idle processes (ms, all in receive)`, erlgun: fmt(spawnMs), anchor: fmt(anchorMs), ratio: `${fmt(spawnMs / anchorMs)}×`, note: `anchor: pending async functions; stopping them all: ${fmt(stopMs)} ms` });
  rows.push({ case: 'heap per idle process (bytes)', erlgun: fmt(perProc, 0), anchor: fmt(anchorPer, 0), ratio: `${fmt(perProc / anchorPer)}×`, note: 'pid, mailbox, waiter, promise chain' });
}

printTable(`Runtime — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`, 'plain JS anchor', rows);
