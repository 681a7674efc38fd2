// Websocket benchmark: erlgun (an owner receive loop counting gun_ws) against a raw `ws`
// client (callbacks), in the same run, against a server in its own process.
// `npm run bench:ws` (the numbers in bench/README.md come from it).
import { execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { _, gun, on, receive, receiveNow, TIMEOUT, type Pid, type StreamRef } from './runtime-api.js';
import { fmt, median, printTable, type Row } from './table.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

// Throughput: the server on CPU 1, this client on CPU 0, so the server is never starved by
// the client it measures. Latency (echo): both on CPU 0, to remove cross-core wake-ups.
function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

async function startServer(cpu: string): Promise<{ port: number; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./ws-server.js', import.meta.url));
  const child = spawnChild('taskset', ['-c', cpu, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', reject);
  });
  return { port, child };
}

// ---- erlgun ----------------------------------------------------------------------------
async function erlgunConnect(port: number): Promise<{ conn: Pid; ref: StreamRef }> {
  const conn = gun.open('127.0.0.1', port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/');
  await receive([on(['gun_up', conn, _], () => undefined)]);
  await receive([on(['gun_upgrade', conn, ref, _, _], () => undefined)]);
  return { conn, ref };
}

/** `await receive` per message, or `receiveNow` to drain a burst and `await receive` only when it is empty. */
type Loop = 'await' | 'drain';

async function erlgunOneway(port: number, count: number, bytes: number, kind: 'text' | 'binary', loop: Loop = 'await'): Promise<number> {
  const { conn, ref } = await erlgunConnect(port);
  const clauses = [on(['gun_ws', conn, ref, _], () => undefined)] as const;
  const t0 = performance.now();
  gun.wsSend(conn, ['text', `oneway:${count}:${bytes}:${kind}`]);
  if (loop === 'await') for (let i = 0; i < count; i++) await receive(clauses);
  else for (let i = 0; i < count; i++) if (receiveNow(clauses) === TIMEOUT) await receive(clauses);
  const s = (performance.now() - t0) / 1000;
  gun.close(conn);
  return count / s;
}

async function erlgunEcho(port: number, count: number): Promise<number[]> {
  const { conn, ref } = await erlgunConnect(port);
  gun.wsSend(conn, ['text', 'echo']);
  const payload = 'x'.repeat(32);
  const clauses = [on(['gun_ws', conn, ref, _], () => undefined)] as const;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    gun.wsSend(conn, ['text', payload]);
    await receive(clauses);
    times.push(performance.now() - t0);
  }
  gun.close(conn);
  return times;
}

async function erlgunMany(port: number, n: number): Promise<{ ms: number; bytes: number; close: () => void }> {
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const all: { conn: Pid; ref: StreamRef }[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch: Pid[] = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const conn = gun.open('127.0.0.1', port, { retry: 0 });
      all.push({ conn, ref: gun.wsUpgrade(conn, '/') });
      batch.push(conn);
    }
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const { conn, ref } = all[j];
      await receive([on(['gun_up', conn, _], () => undefined)]);
      await receive([on(['gun_upgrade', conn, ref, _, _], () => undefined)]);
    }
  }
  const ms = performance.now() - t0;
  gc();
  const bytes = (process.memoryUsage().heapUsed - h0) / n;
  return { ms, bytes, close: () => all.forEach(({ conn }) => gun.close(conn)) };
}

// ---- raw ws ----------------------------------------------------------------------------
function rawConnect(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function rawOneway(port: number, count: number, bytes: number, kind: 'text' | 'binary'): Promise<number> {
  const ws = await rawConnect(port);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let n = 0;
    let sink = 0;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // The same work erlgun does per message: text is decoded to a string.
      sink += isBinary ? data.length : data.toString().length;
      if (++n === count) resolve();
    });
    ws.send(`oneway:${count}:${bytes}:${kind}`);
    void sink;
  });
  const s = (performance.now() - t0) / 1000;
  ws.terminate();
  return count / s;
}

async function rawEcho(port: number, count: number): Promise<number[]> {
  const ws = await rawConnect(port);
  ws.send('echo');
  const payload = 'x'.repeat(32);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(payload);
    });
    times.push(performance.now() - t0);
  }
  ws.terminate();
  return times;
}

async function rawMany(port: number, n: number): Promise<{ ms: number; bytes: number; close: () => void }> {
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const all: WebSocket[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch: Promise<WebSocket>[] = [];
    for (let j = i; j < Math.min(n, i + 500); j++) batch.push(rawConnect(port));
    all.push(...(await Promise.all(batch)));
  }
  const ms = performance.now() - t0;
  gc();
  const bytes = (process.memoryUsage().heapUsed - h0) / n;
  return { ms, bytes, close: () => all.forEach((ws) => ws.terminate()) };
}

// ---- run -------------------------------------------------------------------------------
if (process.env.ERLGUN_BENCH_ONLY === 'many') {
  pinSelf('0');
  const { port: p, child: c } = await startServer('1');
  for (let i = 0; i < 5; i++) {
    const e = await erlgunMany(p, 1000);
    e.close();
    await new Promise((r) => setTimeout(r, 300));
    const r = await rawMany(p, 1000);
    r.close();
    await new Promise((res) => setTimeout(res, 300));
    console.log(`1000 conns: erlgun ${fmt(e.ms, 0)} ms, raw ${fmt(r.ms, 0)} ms`);
  }
  c.kill();
  process.exit(0);
}
if (process.env.ERLGUN_BENCH_ONLY === 'oneway16k') {
  pinSelf('0');
  const { port: p, child: c } = await startServer('1');
  for (let i = 0; i < 4; i++) {
    const mb = (x: number): string => fmt((x * 16384) / 1e6, 0);
    console.log(mb(await erlgunOneway(p, 20_000, 16384, 'binary')), 'MB/s await;', mb(await erlgunOneway(p, 20_000, 16384, 'binary', 'drain')), 'MB/s drain;', mb(await rawOneway(p, 20_000, 16384, 'binary')), 'MB/s raw');
  }
  c.kill();
  process.exit(0);
}
if (process.env.ERLGUN_BENCH_ONLY === 'oneway64') {
  pinSelf('0');
  const { port: p, child: c } = await startServer('1');
  for (let i = 0; i < 3; i++) console.log(fmt(await erlgunOneway(p, 200_000, 64, 'text'), 0), 'msgs/s await;', fmt(await erlgunOneway(p, 200_000, 64, 'text', 'drain'), 0), 'msgs/s drain');
  c.kill();
  process.exit(0);
}
const RUNS = Number(process.env.ERLGUN_BENCH_RUNS ?? 3);
pinSelf('0');
const { port, child } = await startServer('1');
const echoServer = await startServer('0');
const rows: Row[] = [];
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

async function compare(name: string, target: string, unit: (x: number) => string, ours: () => Promise<number>, theirs: () => Promise<number>, higherIsBetter = true, runs = RUNS): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await ours();
    await theirs();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await ours());
    await settle();
    b.push(await theirs());
    await settle();
  }
  const e = median(a);
  const r = median(b);
  const ratio = e / r;
  void higherIsBetter;
  rows.push({ case: `${name}, median of ${runs}`, erlgun: unit(e), anchor: unit(r), ratio: `${fmt(ratio)}×`, note: target });
}

await compare('one-way 200,000 × 64 B text (msgs/s), `await receive` loop', 'target ≥ 0.8×', (x) => fmt(x, 0),
  () => erlgunOneway(port, 200_000, 64, 'text'), () => rawOneway(port, 200_000, 64, 'text'), true, 5);
await compare('one-way 200,000 × 64 B text (msgs/s), `receiveNow` drain loop', 'target ≥ 0.8×', (x) => fmt(x, 0),
  () => erlgunOneway(port, 200_000, 64, 'text', 'drain'), () => rawOneway(port, 200_000, 64, 'text'), true, 5);
await compare('one-way 20,000 × 16 KiB binary (MB/s)', 'target ≥ 0.95×', (x) => fmt(x, 1),
  async () => ((await erlgunOneway(port, 20_000, 16384, 'binary')) * 16384) / 1e6,
  async () => ((await rawOneway(port, 20_000, 16384, 'binary')) * 16384) / 1e6, true, 9);
await compare('echo 20,000 × 32 B round trips, p50 (µs)', 'target ≤ 1.15× (lower is better)', (x) => fmt(x, 1),
  async () => median(await erlgunEcho(echoServer.port, 20_000)) * 1000, async () => median(await rawEcho(echoServer.port, 20_000)) * 1000, false);

// Connections: both sides and the server's upgrade path are warmed up first (three rounds of
// 1,000 each: the first rounds run 2–3× slower while the JIT catches up), then each side runs
// three times, alternating; the best run of each is kept.
async function many(f: (port: number, n: number) => Promise<{ ms: number; bytes: number; close: () => void }>, n: number): Promise<{ ms: number; bytes: number }> {
  const r = await f(port, n);
  r.close();
  await settle();
  await settle();
  return r;
}
for (let i = 0; i < 3; i++) {
  await many(rawMany, 1000);
  await many(erlgunMany, 1000);
}
for (const n of [1000, 10_000]) {
  const es: { ms: number; bytes: number }[] = [];
  const rs: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < 3; i++) {
    es.push(await many(erlgunMany, n));
    rs.push(await many(rawMany, n));
  }
  const e = { ms: Math.min(...es.map((x) => x.ms)), bytes: Math.min(...es.map((x) => x.bytes)) };
  const r = { ms: Math.min(...rs.map((x) => x.ms)), bytes: Math.min(...rs.map((x) => x.bytes)) };
  rows.push({ case: `${fmt(n)} concurrent upgrades: time to all open (ms), best of 3`, erlgun: fmt(e.ms, 0), anchor: fmt(r.ms, 0), ratio: `${fmt(e.ms / r.ms)}×`, note: 'target ≤ 1.5×' });
  rows.push({ case: `${fmt(n)} concurrent upgrades: heap per connection (KiB)`, erlgun: fmt(e.bytes / 1024, 1), anchor: fmt(r.bytes / 1024, 1), ratio: `${fmt(e.bytes / r.bytes)}×`, note: 'target ≤ 1.5×' });
}

printTable(`WebSocket — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, client on CPU 0, server on CPU 1 (echo: both on CPU 0)`, 'raw ws', rows);
child.kill();
echoServer.child.kill();
process.exit(0);
