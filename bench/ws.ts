// Websocket benchmark: erlgun (an owner receive loop counting gun_ws) against a raw `ws`
// client (callbacks), in the same run, against a server in its own process.
// `npm run bench:ws` (the numbers in bench/README.md come from it);
// `ERLGUN_BENCH_ONLY=oneway64,conns npm run bench:ws` runs some cases only
// (oneway64, oneway16k, fresh, echo, conns, owners, serverOwners).
import { execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { _, anyPid, anyRef, flush, genServer, gun, on, receive, receiveNow, self, send, spawn, TIMEOUT, type GenServer, type Pid, type StreamRef } from './runtime-api.js';
import { fmt, printTable, sampleOf, type Row, type Sample } from './table.js';

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc === undefined) {
  console.error('bench/ws needs node --expose-gc: run it with `npm run bench:ws`.');
  process.exit(1);
}
const gc: () => void = exposedGc;

// Throughput: the server on CPU 1, this client on CPU 0, so the server is never starved by
// the client it measures. Latency (echo): both on CPU 0, to remove cross-core wake-ups.
function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

interface Server {
  readonly port: number;
  readonly child: ChildProcess;
  /** Resets every connection from the server side and resolves once none is left. */
  resetAll(): Promise<void>;
}

async function startServer(cpu: string): Promise<Server> {
  const script = fileURLToPath(new URL('./ws-server.js', import.meta.url));
  const child = spawnChild('taskset', ['-c', cpu, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = (): Promise<string> => new Promise((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const port = Number(await Promise.race([line(), new Promise<never>((_resolve, reject) => child.once('error', reject))]));
  const resetAll = async (): Promise<void> => {
    for (let command = 'reset\n'; ; command = 'open?\n') {
      const answer = line();
      child.stdin!.write(command);
      if (Number(await answer) === 0) return;
      await settle(20);
    }
  };
  return { port, child, resetAll };
}

const settle = (ms = 200): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every erlgun run starts from an empty mailbox: a leftover message would be scanned by each receive. */
function requireEmptyMailbox(): void {
  const left = flush();
  if (left.length > 0) throw new Error(`bench: ${left.length} messages left in the mailbox, e.g. ${String(left[0])}`);
}

// ---- erlgun ----------------------------------------------------------------------------

async function erlgunConnect(port: number): Promise<{ conn: Pid; ref: StreamRef }> {
  requireEmptyMailbox();
  const conn = gun.open('127.0.0.1', port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/');
  await receive([on(['gun_up', conn, _], () => undefined)]);
  await receive([on(['gun_upgrade', conn, ref, _, _], () => undefined)]);
  return { conn, ref };
}

/** `await receive` per message, or `receiveNow` to drain a burst and `await receive` only when it is empty. */
type Loop = 'await' | 'drain';

async function erlgunOneway(port: number, count: number, bytes: number, kind: 'text' | 'binary', loop: Loop): Promise<number> {
  const { conn, ref } = await erlgunConnect(port);
  const rate = await drainStream(conn, ref, count, bytes, kind, loop);
  gun.close(conn);
  return rate;
}

/** Asks the server for `count` one-way messages and takes them all; msgs/s. */
async function drainStream(conn: Pid, ref: StreamRef, count: number, bytes: number, kind: 'text' | 'binary', loop: Loop): Promise<number> {
  let sink = 0;
  // The same work the raw client does per message: text arrives decoded, its length is read.
  const clauses = [on(['gun_ws', conn, ref, _], ([, , , frame]) => {
    if (typeof frame !== 'string' && (frame[0] === 'text' || frame[0] === 'binary')) sink += frame[1].length;
  })] as const;
  const t0 = performance.now();
  gun.wsSend(conn, ['text', `oneway:${count}:${bytes}:${kind}`]);
  if (loop === 'await') for (let i = 0; i < count; i++) await receive(clauses);
  else for (let i = 0; i < count; i++) if (receiveNow(clauses) === TIMEOUT) await receive(clauses);
  const s = (performance.now() - t0) / 1000;
  if (sink === 0) throw new Error('bench: nothing received');
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

/**
 * What a user's program does, measured once in a fresh process (no warm-up rounds): a spawned
 * owner process opens the connection and waits for `gun_upgrade` only, so `gun_up` stays
 * unread at the head of its mailbox, then drains the stream as the README recommends.
 */
function erlgunFreshOneway(port: number, count: number, bytes: number, kind: 'text' | 'binary'): Promise<number> {
  return new Promise((resolve, reject) => {
    spawn(async () => {
      try {
        const conn = gun.open('127.0.0.1', port, { retry: 0 });
        const ref = gun.wsUpgrade(conn, '/');
        await receive([on(['gun_upgrade', conn, ref, _, _], () => undefined)]);
        const rate = await drainStream(conn, ref, count, bytes, kind, 'drain');
        const unread = flush();
        gun.close(conn);
        if (unread.length !== 1 || (unread[0] as unknown[])[0] !== 'gun_up') throw new Error('bench: gun_up was not the one unread message');
        resolve(rate);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Runs one measurement (`side:kind`) in a new node process pinned to CPU 0 and returns its msgs/s. */
function inFreshProcess(port: number, side: 'erlgun' | 'raw', kind: 'text' | 'binary'): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const child = spawnChild('taskset', ['-c', '0', process.execPath, '--expose-gc', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ERLGUN_BENCH_CHILD: `${side}:${kind}:${port}` },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const rate = Number(out.trim());
      if (code === 0 && rate > 0) resolve(rate);
      else reject(new Error(`bench: the ${side} ${kind} child exited with ${String(code)}: ${out}`));
    });
  });
}

interface ManyResult {
  readonly ms: number;
  /** Heap per connection; only measured when asked (the full GC it needs slows the round down). */
  readonly bytes: number;
}

/**
 * Opens `n` connections in batches of 500 until all are upgraded (timed), then has the server
 * reset them all and returns once they are gone: nothing of one round is alive when the next
 * is measured. With `heap`, full GCs before and after give the heap each connection holds;
 * rounds that are timed do without them: after a forced full GC V8 starts again from a small
 * young generation, which made the first batches 1.5–3× slower, more so the more objects a
 * connection allocates.
 */
async function erlgunMany(server: Server, n: number, heap: boolean): Promise<ManyResult> {
  const port = server.port;
  requireEmptyMailbox();
  if (heap) gc();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const conns: Pid[] = [];
  // The owner takes the messages in the order they come, as a Gun user waiting for many
  // connections would (asking for one connection's gun_up at a time scans past the others').
  const clauses = [
    on(['gun_upgrade', anyPid, anyRef, _, _], () => 1),
    on(['gun_up', anyPid, _], () => 0),
  ] as const;
  for (let i = 0; i < n; i += 500) {
    const end = Math.min(n, i + 500);
    for (let j = i; j < end; j++) {
      const conn = gun.open('127.0.0.1', port, { retry: 0 });
      conns.push(conn);
      gun.wsUpgrade(conn, '/');
    }
    for (let upgraded = i; upgraded < end; ) upgraded += await receive(clauses);
  }
  const ms = performance.now() - t0;
  if (heap) gc();
  const bytes = heap ? (process.memoryUsage().heapUsed - h0) / n : NaN;
  // The server resets them all (no TIME_WAIT left); with retry 0 each connection then exits.
  await server.resetAll();
  await settle();
  for (const conn of conns) gun.close(conn);
  flush();
  return { ms, bytes };
}

/**
 * The Erlang way: one owner process per connection. Each owner is spawned, opens its
 * connection, waits for `gun_upgrade` (leaving `gun_up` unread), tells the shell, then idles
 * in `receive` until told to stop. Time and heap as in erlgunMany, so both include the
 * owner processes; only the shell's bookkeeping (the owners' pids) is not the owners' own.
 */
function erlgunOwners(server: Server, n: number, heap: boolean): Promise<ManyResult> {
  return ownersRun(server, n, heap, (shell, port) => spawn(async () => {
    const conn = gun.open('127.0.0.1', port, { retry: 0 });
    const ref = gun.wsUpgrade(conn, '/');
    await receive([on(['gun_upgrade', conn, ref, _, _], () => undefined)]);
    send(shell, ['owner_up', self()]);
    await receive([on('stop', () => undefined)]);
    gun.close(conn);
  }));
}

/**
 * Starts `n` owners with `start` (each tells the shell `['owner_up', pid]` once upgraded), in
 * batches of 500; time until all are up and heap per owner, then stops them with `'stop'`.
 */
async function ownersRun(server: Server, n: number, heap: boolean, start: (shell: Pid, port: number) => Pid): Promise<ManyResult> {
  requireEmptyMailbox();
  const shell = self();
  const owners: Pid[] = new Array<Pid>(n);
  if (heap) gc();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const clauses = [on(['owner_up', anyPid], () => undefined)] as const;
  for (let i = 0; i < n; i += 500) {
    const end = Math.min(n, i + 500);
    for (let j = i; j < end; j++) owners[j] = start(shell, server.port);
    for (let j = i; j < end; j++) await receive(clauses);
  }
  const ms = performance.now() - t0;
  if (heap) gc();
  const bytes = heap ? (process.memoryUsage().heapUsed - h0) / n : NaN;
  await server.resetAll();
  for (const owner of owners) send(owner, 'stop');
  await settle();
  flush();
  return { ms, bytes };
}

/** A genServer owner's state: its connection and upgrade. */
interface OwnerState {
  readonly shell: Pid;
  readonly conn: Pid;
  readonly ref: StreamRef;
}

/**
 * The owner as a genServer (a callback-driven actor, no async body waiting in `receive`): it
 * opens its connection in `init`, tells the shell on `gun_upgrade`, and stops on `'stop'`
 * (closing the connection in `terminate`). `gun_up` is handled, not left unread: a server
 * takes every message.
 */
const ownerServer: GenServer<OwnerState, never, never, never, unknown, readonly [Pid, number]> = {
  init: ([shell, port]) => {
    const conn = gun.open('127.0.0.1', port, { retry: 0 });
    return ['ok', { shell, conn, ref: gun.wsUpgrade(conn, '/') }];
  },
  handleInfo: (msg, state) => {
    if (msg === 'stop') return ['stop', 'normal', state];
    if (Array.isArray(msg) && msg[0] === 'gun_upgrade' && msg[2] === state.ref) send(state.shell, ['owner_up', self()]);
    return ['noreply', state];
  },
  terminate: (_reason, state) => {
    gun.close(state.conn);
  },
};

/** As erlgunOwners, with a genServer owner per connection. */
function erlgunServerOwners(server: Server, n: number, heap: boolean): Promise<ManyResult> {
  return ownersRun(server, n, heap, (shell, port) => {
    const started = genServer.start(ownerServer, [shell, port] as const);
    if (started === 'ignore' || started[0] !== 'ok') throw new Error(`owner did not start: ${String(started)}`);
    return started[1];
  });
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
  let sink = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let n = 0;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      sink += isBinary ? data.length : data.toString().length;
      if (++n === count) resolve();
    });
    ws.send(`oneway:${count}:${bytes}:${kind}`);
  });
  const s = (performance.now() - t0) / 1000;
  ws.terminate();
  if (sink === 0) throw new Error('bench: nothing received');
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

async function rawMany(server: Server, n: number, heap: boolean): Promise<ManyResult> {
  const port = server.port;
  if (heap) gc();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const all: WebSocket[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch: Promise<WebSocket>[] = [];
    for (let j = i; j < Math.min(n, i + 500); j++) batch.push(rawConnect(port));
    all.push(...(await Promise.all(batch)));
  }
  const ms = performance.now() - t0;
  if (heap) gc();
  const bytes = heap ? (process.memoryUsage().heapUsed - h0) / n : NaN;
  await server.resetAll();
  await settle();
  for (const ws of all) ws.terminate();
  return { ms, bytes };
}

// ---- measuring -------------------------------------------------------------------------

/** Both sides' samples, and the ratio (erlgun ÷ raw) of each pair of runs made back to back. */
interface Paired {
  readonly e: Sample;
  readonly r: Sample;
  readonly ratio: Sample;
}

function paired(e: readonly number[], r: readonly number[]): Paired {
  return { e: sampleOf(e), r: sampleOf(r), ratio: sampleOf(e.map((x, i) => x / r[i])) };
}

/**
 * Runs both sides `runs` times after two warm-up rounds each, back to back and alternating
 * which goes first (erlgun, raw, raw, erlgun, …). This machine's speed drifts by ±30 % from
 * one second to the next, so the ratio kept is the median of the per-pair ratios.
 */
async function interleaved(runs: number, ours: () => Promise<number>, theirs: () => Promise<number>, warmups = 2): Promise<Paired> {
  for (let i = 0; i < warmups; i++) {
    await ours();
    await theirs();
  }
  const e: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      e.push(await ours());
      r.push(await theirs());
    } else {
      r.push(await theirs());
      e.push(await ours());
    }
    await settle();
  }
  return paired(e, r);
}

const rows: Row[] = [];
const spreads: string[] = [];

function row(label: string, s: Paired, digits: number, target: number | undefined, higherIsBetter: boolean): void {
  const ratio = s.ratio.median;
  let note = 'for reference';
  if (target !== undefined) {
    const met = higherIsBetter ? ratio >= target : ratio <= target;
    note = `target ${higherIsBetter ? '≥' : '≤'} ${target}×: ${met ? 'met' : 'NOT met'}`;
  }
  spreads.push(`${rows.length + 1}: ${fmt(s.ratio.p25)}–${fmt(s.ratio.p75)}×`);
  rows.push({ case: label, erlgun: fmt(s.e.median, digits), anchor: fmt(s.r.median, digits), ratio: `${fmt(ratio)}×`, note });
}

// ---- run -------------------------------------------------------------------------------

// A child started by inFreshProcess: one measurement, its figure on stdout, and out.
const childCase = process.env.ERLGUN_BENCH_CHILD;
if (childCase !== undefined) {
  const [side, kind, childPort] = childCase.split(':') as ['erlgun' | 'raw', 'text' | 'binary', string];
  const rate = side === 'erlgun' ? await erlgunFreshOneway(Number(childPort), 200_000, 64, kind) : await rawOneway(Number(childPort), 200_000, 64, kind);
  process.stdout.write(`${rate}\n`);
  process.exit(0);
}

const only = new Set((process.env.ERLGUN_BENCH_ONLY ?? 'oneway64,oneway16k,fresh,echo,conns,owners,serverOwners').split(','));
const started = performance.now();
pinSelf('0');
const server = await startServer('1');
const { port, child } = server;
const echoServer = await startServer('0');

if (only.has('oneway64')) {
  const text = (loop: Loop) => () => erlgunOneway(port, 200_000, 64, 'text', loop);
  const raw = () => rawOneway(port, 200_000, 64, 'text');
  row('one-way 200,000 × 64 B text (msgs/s), receive loop draining each burst with `receiveNow`', await interleaved(41, text('drain'), raw), 0, 0.8, true);
  row('one-way 200,000 × 64 B text (msgs/s), `await receive` per message', await interleaved(15, text('await'), raw), 0, undefined, true);
}
if (only.has('oneway16k')) {
  const mb = (rate: number): number => (rate * 16_384) / 1e6;
  row('one-way 20,000 × 16 KiB binary (MB/s), receive loop draining each burst with `receiveNow`',
    await interleaved(41, async () => mb(await erlgunOneway(port, 20_000, 16_384, 'binary', 'drain')), async () => mb(await rawOneway(port, 20_000, 16_384, 'binary'))), 1, 0.95, true);
}
if (only.has('fresh')) {
  for (const kind of ['text', 'binary'] as const) {
    row(`one-way 200,000 × 64 B ${kind} (msgs/s), each run in a fresh process: spawned owner, \`gun_up\` left unread, \`receiveNow\` drain`,
      await interleaved(9, () => inFreshProcess(port, 'erlgun', kind), () => inFreshProcess(port, 'raw', kind), 0), 0, 0.8, true);
  }
}
if (only.has('echo')) {
  row('echo 20,000 × 32 B round trips, p50 (µs), client and server on one core',
    await interleaved(5, async () => sampleOf(await erlgunEcho(echoServer.port, 20_000)).median * 1000, async () => sampleOf(await rawEcho(echoServer.port, 20_000)).median * 1000), 1, 1.15, false);
}
/** `runs` pairs of erlgun and raw rounds of `n` connections, back to back, alternating which goes first. */
async function manyPairs(ours: typeof erlgunMany, n: number, runs: number, heap: boolean): Promise<{ es: ManyResult[]; rs: ManyResult[] }> {
  const es: ManyResult[] = [];
  const rs: ManyResult[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      es.push(await ours(server, n, heap));
      rs.push(await rawMany(server, n, heap));
    } else {
      rs.push(await rawMany(server, n, heap));
      es.push(await ours(server, n, heap));
    }
  }
  return { es, rs };
}

/** Time and heap rows for rounds of `n` connections, after three warm-up rounds of 1,000 (the first rounds run 2–3× slower while the JIT catches up, erlgun's path and the server's). */
async function manyRows(ours: typeof erlgunMany, what: string, sizes: readonly (readonly [number, number, number])[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await ours(server, 1000, false);
    await rawMany(server, 1000, false);
  }
  for (const [n, timed, weighed] of sizes) {
    const time = await manyPairs(ours, n, timed, false);
    const heap = await manyPairs(ours, n, weighed, true);
    const ms = (xs: ManyResult[]): number[] => xs.map((x) => x.ms);
    const kib = (xs: ManyResult[]): number[] => xs.map((x) => x.bytes / 1024);
    row(`${fmt(n)} ${what}: time to all open (ms), median of ${timed}`, paired(ms(time.es), ms(time.rs)), 0, what === 'concurrent upgrades' ? 1.5 : 1.2, false);
    row(`${fmt(n)} ${what}: heap per connection (KiB)${weighed > 1 ? `, median of ${weighed}` : ''}`, paired(kib(heap.es), kib(heap.rs)), 2, 1.5, false);
  }
}

if (only.has('conns')) await manyRows(erlgunMany, 'concurrent upgrades', [[1000, 11, 3], [10_000, 4, 1]]);
if (only.has('owners')) await manyRows(erlgunOwners, 'upgrades, a spawned owner process per connection', [[1000, 11, 3], [5000, 5, 3]]);
if (only.has('serverOwners')) await manyRows(erlgunServerOwners, 'upgrades, a genServer owner per connection', [[1000, 11, 3], [5000, 5, 3]]);

printTable(`WebSocket — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, client on CPU 0, server on CPU 1 (echo: both on CPU 0)`, 'raw ws', rows);
console.log(`\nratio = median of the erlgun ÷ raw ws ratios of runs made back to back, alternating which goes first (64 B rows: 41 and 15 pairs, 16 KiB: 41, echo: 5, after two warm-up rounds each; fresh-process rows: 9 pairs, no warm-up, each run a new node process; connections: 11 and 4 timed pairs, 3 and 1 weighed with full GCs, after three warm-up rounds; owner per connection: 11 and 5 timed, 3 and 3 weighed, after three warm-up rounds). Middle half of those ratios (25th–75th percentile): ${spreads.join('; ')}. Total ${fmt((performance.now() - started) / 1000, 0)} s.`);
child.kill();
echoServer.child.kill();
process.exit(0);
