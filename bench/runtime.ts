// Runtime benchmark: erlgun's processes, receive and pattern matching, each against a
// hand-written plain-JS equivalent (the "anchor") measured in the same run.
// `npm run bench:runtime`; bench/README.md says what every row measures.
//
// Order matters. On Node 20, erlgun's AsyncLocalStorage installs promise hooks the first
// time a process runs, and from then on every promise in the program costs more. So the
// anchors run first, before any process has run (what the hand-written code costs in a
// program without erlgun), then the erlgun cases, then the anchors once more (the same
// code paying that tax): the table shows the first, the notes the second.
import { cpus } from 'node:os';
import {
  _, anyPid, compilePatternForBench, flush, genServer, isProcessAlive, makeRef, ok, on, processFlag, processInfo, receive, self, send, spawn, spawnLink, supervisor,
  type GenServer, type Pid, type Ref,
} from './runtime-api.js';
import { printTable, sampleOf, spread, type Row, type Sample } from './table.js';

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc === undefined) {
  console.error('bench/runtime needs node --expose-gc: run it with `npm run bench:runtime`.');
  process.exit(1);
}
const gc: () => void = exposedGc;

// ---- measuring -------------------------------------------------------------------------

type Measures<K extends string> = Readonly<Record<K, number>>;

/** Runs `once` one time to warm up, then `runs` times, each after a full GC. */
async function sample<K extends string>(runs: number, once: () => Promise<Measures<K>>): Promise<Record<K, Sample>> {
  await once();
  const seen: Measures<K>[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    seen.push(await once());
  }
  const out = {} as Record<K, Sample>;
  for (const key of Object.keys(seen[0]) as K[]) out[key] = sampleOf(seen.map((m) => m[key]));
  return out;
}

/**
 * `sample` for two cases whose ratio is the point: each warmed up twice, then run `runs` times
 * in alternation (a b, b a, a b…), each after a full GC, so that load from other programs falls
 * on both alike. `ratio` is the median of the per-round ratios a ÷ b.
 */
async function samplePair<K extends string>(runs: number, key: K, a: () => Promise<Measures<K>>, b: () => Promise<Measures<K>>): Promise<{ a: Record<K, Sample>; b: Record<K, Sample>; ratio: number }> {
  for (let i = 0; i < 2; i++) {
    await a();
    await b();
  }
  const seenA: number[] = [];
  const seenB: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [run, seen] of i % 2 === 0 ? [[a, seenA], [b, seenB]] as const : [[b, seenB], [a, seenA]] as const) {
      gc();
      seen.push((await run())[key]);
    }
  }
  const ratios = seenA.map((x, i) => x / seenB[i]);
  return { a: { [key]: sampleOf(seenA) } as Record<K, Sample>, b: { [key]: sampleOf(seenB) } as Record<K, Sample>, ratio: sampleOf(ratios).median };
}

/** A macrotask later: every microtask queued before it (every woken process) has run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark self-check failed: ${what}`);
}

/** Sum of 0 … n-1: what a consumer that got every message in order adds up. */
const triangle = (n: number): number => (n * (n - 1)) / 2;

/** Runs `body` inside a new process and resolves with what it returns. */
function inProcess<T>(body: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    spawn(async () => {
      try {
        resolve(await body());
      } catch (error) {
        reject(error);
      }
    });
  });
}

// ---- the anchors' queue ------------------------------------------------------------------

/**
 * A growable ring buffer (power-of-two capacity) whose one consumer can wait for the next
 * push: the plain-JS way to hand messages from one async function to another.
 */
class RingQueue<T> {
  #buf: (T | undefined)[] = new Array<T | undefined>(1024).fill(undefined);
  #mask = 1023;
  #head = 0;
  #size = 0;
  #wake: (() => void) | undefined = undefined;

  get size(): number {
    return this.#size;
  }

  push(value: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#size) & this.#mask] = value;
    this.#size++;
    const wake = this.#wake;
    if (wake !== undefined) {
      this.#wake = undefined;
      wake();
    }
  }

  /** The oldest value; only when `size > 0`. */
  shift(): T {
    const value = this.#buf[this.#head] as T;
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return value;
  }

  /** Resolves at the next push. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  /** The oldest value through a promise, one per value, as `await receive(…)` does. */
  take(): Promise<T> {
    return this.#size > 0 ? Promise.resolve(this.shift()) : this.wait().then(() => this.shift());
  }

  #grow(): void {
    const next = new Array<T | undefined>(this.#buf.length * 2).fill(undefined);
    for (let i = 0; i < this.#size; i++) next[i] = this.#buf[(this.#head + i) & this.#mask];
    this.#buf = next;
    this.#mask = next.length - 1;
    this.#head = 0;
  }
}

// ---- 1. send → receive, one producer → one consumer -----------------------------------------

const STREAM = 1_000_000;
const BATCH = 1000;

/**
 * A producer process sends `batch` messages, then yields a macrotask (setImmediate), so the
 * consumer process drains what is queued before the next batch. `batch = n`: send all, then drain.
 */
async function erlgunStream(n: number, batch: number, unread = 0): Promise<Measures<'ms'>> {
  let finish!: (sum: number) => void;
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const t0 = performance.now();
  const consumer = spawn(async () => {
    const clauses = [on(['msg', _], ([, i]) => i as number)];
    let sum = 0;
    for (let k = 0; k < n; k++) sum += await receive(clauses);
    check(flush().length === unread, 'the unread messages stayed in the mailbox');
    finish(sum);
  });
  // `unread` messages no clause matches wait at the head of the consumer's mailbox (an owner's gun_up).
  for (let k = 0; k < unread; k++) send(consumer, ['unread', k]);
  spawn(async () => {
    for (let i = 0; i < n; ) {
      for (const end = Math.min(n, i + batch); i < end; i++) send(consumer, ['msg', i]);
      await tick();
    }
  });
  const sum = await finished;
  const ms = performance.now() - t0;
  check(sum === triangle(n), 'the erlgun consumer got every message, in order');
  return { ms };
}

/** The same schedule on a RingQueue. `awaitEach`: one await per message, else only when the queue is empty. */
async function anchorStream(n: number, batch: number, awaitEach: boolean): Promise<Measures<'ms'>> {
  const queue = new RingQueue<readonly ['msg', number]>();
  const t0 = performance.now();
  const consumer = (async () => {
    let sum = 0;
    if (awaitEach) {
      for (let k = 0; k < n; k++) sum += (await queue.take())[1];
      return sum;
    }
    for (let k = 0; k < n; ) {
      if (queue.size === 0) await queue.wait();
      for (; queue.size > 0; k++) sum += queue.shift()[1];
    }
    return sum;
  })();
  void (async () => {
    for (let i = 0; i < n; ) {
      for (const end = Math.min(n, i + batch); i < end; i++) queue.push(['msg', i]);
      await tick();
    }
  })();
  const sum = await consumer;
  const ms = performance.now() - t0;
  check(sum === triangle(n), 'the anchor consumer got every message, in order');
  return { ms };
}

/** The batched stream with `unread` messages at the head, then with none, back to back (the machine drifts). */
async function unreadPair(unread: number): Promise<Measures<'ms' | 'emptyMs'>> {
  const { ms } = await erlgunStream(STREAM, BATCH, unread);
  gc();
  const { ms: emptyMs } = await erlgunStream(STREAM, BATCH);
  return { ms, emptyMs };
}

// ---- 1b. ping-pong between two processes, and a timer due meanwhile ----------------------

const PINGS = 300_000;
type PingPong = 'ms' | 'timerMs';

/** When a `setTimeout(0)` queued just before `run` fires, and how long `run` takes. */
async function withTimer(run: () => Promise<void>): Promise<Measures<PingPong>> {
  let timerMs = NaN;
  const t0 = performance.now();
  setTimeout(() => {
    timerMs = performance.now() - t0;
  }, 0);
  await run();
  const ms = performance.now() - t0;
  while (Number.isNaN(timerMs)) await new Promise((resolve) => setTimeout(resolve, 1));
  return { ms, timerMs };
}

/** Two processes: one sends ['ping', self()] and awaits 'pong', the other answers; `n` round trips. */
function erlgunPingPong(n: number): Promise<Measures<PingPong>> {
  return withTimer(() => new Promise<void>((done) => {
    const pong = spawn(async () => {
      const ping = [on(['ping', _], ([, from]) => from as Pid)];
      for (let i = 0; i < n; i++) send(await receive(ping), 'pong');
    });
    spawn(async () => {
      const me = self();
      const gotPong = [on('pong', () => undefined)];
      for (let i = 0; i < n; i++) {
        send(pong, ['ping', me]);
        await receive(gotPong);
      }
      done();
    });
  }));
}

/** The same exchange between two async functions over two RingQueues, one promise per message. */
function anchorPingPong(n: number): Promise<Measures<PingPong>> {
  return withTimer(async () => {
    const pings = new RingQueue<number>();
    const pongs = new RingQueue<number>();
    const ponger = (async () => {
      for (let i = 0; i < n; i++) pongs.push(await pings.take());
    })();
    for (let i = 0; i < n; i++) {
      pings.push(i);
      await pongs.take();
    }
    await ponger;
  });
}

// ---- 2. compiled pattern vs hand-written predicate ----------------------------------------

const MATCH_MSGS = 4096;
const MATCH_ROUNDS = 5000;
const MATCH_RUNS = 5;

/** Gun-like messages, one in four matching `['gun_ws', pid, ref, ['text', _]]`, in a fixed shuffled order. */
function gunMessages(pid: Pid, ref: Ref, otherPid: Pid, otherRef: Ref): unknown[] {
  const data = Buffer.from('x');
  const shapes: (() => unknown)[] = [
    () => ['gun_ws', pid, ref, ['text', 'hello']],
    () => ['gun_ws', pid, ref, ['text', '']],
    () => ['gun_ws', pid, otherRef, ['text', 'hello']],
    () => ['gun_ws', otherPid, ref, ['text', 'hello']],
    () => ['gun_ws', pid, ref, ['binary', data]],
    () => ['gun_ws', pid, ref, ['close', 1000, 'bye']],
    () => ['gun_data', pid, ref, 'nofin', data],
    () => 'stop',
  ];
  const msgs: unknown[] = [];
  for (let i = 0; i < MATCH_MSGS; i++) msgs.push(shapes[i % shapes.length]());
  let seed = 42;
  for (let i = msgs.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [msgs[i], msgs[j]] = [msgs[j], msgs[i]];
  }
  return msgs;
}

/** ns per call of each predicate over the same messages; both must count the same matches. */
function matchCase(): { compiled: Sample; hand: Sample } {
  const pid = self();
  const ref = makeRef();
  const msgs = gunMessages(pid, ref, spawn(() => undefined), makeRef());
  const compiled = compilePatternForBench(['gun_ws', pid, ref, ['text', _]]);
  const hand = (m: unknown): boolean => {
    if (!Array.isArray(m) || m.length !== 4 || m[0] !== 'gun_ws' || m[1] !== pid || m[2] !== ref) return false;
    const frame: unknown = m[3];
    return Array.isArray(frame) && frame.length === 2 && frame[0] === 'text';
  };
  const calls = MATCH_ROUNDS * msgs.length;
  const expected = calls / 4;
  // One loop per predicate, so that each call site sees one function and may inline it.
  const runCompiled = (): number => {
    let hits = 0;
    const t0 = performance.now();
    for (let r = 0; r < MATCH_ROUNDS; r++) for (let i = 0; i < msgs.length; i++) if (compiled(msgs[i])) hits++;
    const ns = ((performance.now() - t0) * 1e6) / calls;
    check(hits === expected, 'the compiled pattern matched one message in four');
    return ns;
  };
  const runHand = (): number => {
    let hits = 0;
    const t0 = performance.now();
    for (let r = 0; r < MATCH_ROUNDS; r++) for (let i = 0; i < msgs.length; i++) if (hand(msgs[i])) hits++;
    const ns = ((performance.now() - t0) * 1e6) / calls;
    check(hits === expected, 'the hand-written predicate matched one message in four');
    return ns;
  };
  runCompiled();
  runHand();
  const c: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < MATCH_RUNS; i++) {
    c.push(runCompiled());
    h.push(runHand());
  }
  return { compiled: sampleOf(c), hand: sampleOf(h) };
}

// ---- 3. selective receive behind a backlog ---------------------------------------------------

const SMALL = 100_000;
const LARGE = 200_000;
/** Scans timed per backlog (the median is kept): one is well under a millisecond. */
const SCANS = 5;

type Backlog = 'scanMs' | 'drainNs';

/** Fills a process's own mailbox with `n` noise messages, takes a target from behind them, then drains the noise. */
function erlgunBacklog(n: number): Promise<Measures<Backlog>> {
  return inProcess(async () => {
    const me = self();
    for (let i = 0; i < n; i++) send(me, ['noise', i]);
    const target = [on(['target'], () => true)];
    const scans: number[] = [];
    for (let s = 0; s < SCANS; s++) {
      send(me, ['target']);
      gc(); // the fill's garbage is not the scan's cost
      const t0 = performance.now();
      const found = await receive(target, 0);
      scans.push(performance.now() - t0);
      check(found === true, 'receive found the target behind the backlog');
    }
    const noise = [on(['noise', _], ([, i]) => i as number)];
    let sum = 0;
    const t0 = performance.now();
    for (let k = 0; k < n; k++) sum += await receive(noise);
    const drainNs = ((performance.now() - t0) * 1e6) / n;
    check(sum === triangle(n), 'the backlog drained in order');
    return { scanMs: sampleOf(scans).median, drainNs };
  });
}

/** Hand-written: a for loop finds the target in an array and splices it out; a RingQueue drains with one await each. */
async function anchorBacklog(n: number): Promise<Measures<Backlog>> {
  const all: unknown[] = [];
  const queue = new RingQueue<readonly ['noise', number]>();
  for (let i = 0; i < n; i++) {
    const msg = ['noise', i] as const;
    all.push(msg);
    queue.push(msg);
  }
  const isTarget = (m: unknown): boolean => Array.isArray(m) && m.length === 1 && m[0] === 'target';
  const scans: number[] = [];
  for (let s = 0; s < SCANS; s++) {
    all.push(['target']);
    gc();
    const t0 = performance.now();
    let at = -1;
    for (let i = 0; i < all.length; i++) {
      if (isTarget(all[i])) {
        at = i;
        break;
      }
    }
    all.splice(at, 1);
    scans.push(performance.now() - t0);
    check(at === n, 'the anchor found the target');
  }
  let sum = 0;
  const t0 = performance.now();
  for (let k = 0; k < n; k++) sum += (await queue.take())[1];
  const drainNs = ((performance.now() - t0) * 1e6) / n;
  check(sum === triangle(n), 'the anchor drained in order');
  return { scanMs: sampleOf(scans).median, drainNs };
}

/** Both backlog sizes in each run, so that they share warm-up and machine state. */
async function backlogs(run: (n: number) => Promise<Measures<Backlog>>): Promise<Measures<'scanSmall' | 'drainSmall' | 'scanLarge' | 'drainLarge'>> {
  const small = await run(SMALL);
  gc();
  const large = await run(LARGE);
  return { scanSmall: small.scanMs, drainSmall: small.drainNs, scanLarge: large.scanMs, drainLarge: large.drainNs };
}

// ---- 4. 100,000 idle processes ------------------------------------------------------------

const IDLE = 100_000;
type Idle = 'spawnMs' | 'bytes' | 'stopMs';

/** Spawns `p` processes that each wait in `receive` for 'stop'; then stops them all. */
async function erlgunIdle(p: number): Promise<Measures<Idle>> {
  const pids = new Array<Pid | undefined>(p).fill(undefined);
  let live = p;
  let allStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    allStopped = resolve;
  });
  const stop = (): void => {
    if (--live === 0) allStopped();
  };
  const before = heapUsed();
  const t0 = performance.now();
  for (let i = 0; i < p; i++) pids[i] = spawn(() => receive([on('stop', stop)]));
  await tick();
  const spawnMs = performance.now() - t0;
  const bytes = (heapUsed() - before) / p;
  check(pids.every((pid) => pid !== undefined && processInfo(pid)?.status === 'waiting'), 'every process waits in receive');
  const t1 = performance.now();
  for (const pid of pids) send(pid as Pid, 'stop');
  await stopped;
  await tick();
  const stopMs = performance.now() - t1;
  check(pids.every((pid) => !isProcessAlive(pid as Pid)), 'every process exited');
  return { spawnMs, bytes, stopMs };
}

/** The anchor: `p` pending async functions, each awaiting a promise that a waker array resolves. */
async function anchorIdle(p: number): Promise<Measures<Idle>> {
  const wakers = new Array<(() => void) | undefined>(p).fill(undefined);
  let live = p;
  let allStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    allStopped = resolve;
  });
  const before = heapUsed();
  const t0 = performance.now();
  for (let i = 0; i < p; i++) {
    void (async () => {
      await new Promise<void>((resolve) => {
        wakers[i] = resolve;
      });
      if (--live === 0) allStopped();
    })();
  }
  await tick();
  const spawnMs = performance.now() - t0;
  const bytes = (heapUsed() - before) / p;
  check(wakers.every((wake) => wake !== undefined), 'every function waits');
  const t1 = performance.now();
  for (const wake of wakers) (wake as () => void)();
  await stopped;
  await tick();
  const stopMs = performance.now() - t1;
  return { spawnMs, bytes, stopMs };
}

// ---- 5. OTP: a call round trip, and a supervisor restarting a crashing child ----------------

const CALLS = 20_000;
/**
 * Untimed round trips at the start of each run, on the run's own server or echo process: the
 * full GC before each run deoptimises the functions whose optimised code held objects of the
 * run before ("weak objects" in --trace-deopt; ~20 functions on the call path), and without
 * this the timed loop measured their re-warming (a call then cost 2–3× as much).
 */
const REWARM = 2_000;
type RoundTrip = 'ns';

const echoServer: GenServer<null, number, number> = { init: () => ['ok', null], handleCall: (n, _from, state) => ['reply', n, state] };

/** `CALLS` sequential genServer.call round trips to a server that replies at once. */
function callRoundTrips(): Promise<Measures<RoundTrip>> {
  return inProcess(async () => {
    const server = ok(genServer.start(echoServer, undefined));
    for (let i = 0; i < REWARM; i++) await genServer.call(server, i);
    let sum = 0;
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) sum += await genServer.call(server, i);
    const ns = ((performance.now() - t0) * 1e6) / CALLS;
    check(sum === triangle(CALLS), 'every call got its own reply');
    await genServer.stop(server);
    return { ns };
  });
}

/** The anchor: `CALLS` sends to an echo process, each followed by a receive of its answer. */
function sendReceivePairs(): Promise<Measures<RoundTrip>> {
  return inProcess(async () => {
    const echo = spawn(async () => {
      const clauses = [on([anyPid, _], ([from, n]) => send(from, ['echo', n]))] as const;
      for (;;) await receive(clauses);
    });
    const answer = [on(['echo', _], ([, n]) => n as number)] as const;
    const me = self();
    for (let i = 0; i < REWARM; i++) {
      send(echo, [me, i]);
      await receive(answer);
    }
    let sum = 0;
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) {
      send(echo, [me, i]);
      sum += await receive(answer);
    }
    const ns = ((performance.now() - t0) * 1e6) / CALLS;
    check(sum === triangle(CALLS), 'every send got its answer');
    return { ns };
  });
}

const RESTARTS = 10_000;
const EARLY = 1_000;
const MID = (EARLY + RESTARTS) / 2;
/** Heap growth per restart over the second half (MID to RESTARTS) that still counts as flat: an idle process alone is ~1,300 bytes (row 4). */
const FLAT_BYTES = 64;
type Restarts = 'us' | 'growth' | 'late';

/** A child that tells the bench it started and crashes on any cast. */
function crasher(bench: Pid): GenServer<null, never, unknown, 'crash'> {
  return {
    init: () => {
      send(bench, ['up', self()]);
      return ['ok', null];
    },
    handleCast: () => {
      throw new Error('crash');
    },
  };
}

/**
 * Crashes a supervised child `RESTARTS` times, waiting for each restart; `growth` is the heap
 * after all of them minus the heap after the first `EARLY`, per restart (flat = about 0);
 * `late` the same over the second half only (`MID` to `RESTARTS`): a leak per restart grows as
 * much there as in the first half, warm-up (code, feedback) does not.
 */
function supervisorRestarts(): Promise<Measures<Restarts>> {
  return inProcess(async () => {
    const me = self();
    processFlag('trap_exit', true);
    // The restart window holds the restarts of the last period: kept short so it stays small.
    const sup = ok(supervisor.startLink({ init: () => ['ok', [{ intensity: RESTARTS * 2, period: 0.001 }, [{ id: 'c', start: () => genServer.startLink(crasher(me), undefined) }]]] }, undefined));
    const measures = await timeRestarts(async (child) => {
      genServer.cast(child, 'crash');
    });
    check(isProcessAlive(sup), 'the supervisor outlived every restart');
    await genServer.stop(sup, 'shutdown');
    return measures;
  });
}

/**
 * Crashes the child `RESTARTS` times (`crash` makes it crash and returns once it is gone),
 * each time waiting for the new one's `['up', pid]`; time per restart, and heap growth per
 * restart from `EARLY` and from `MID` to the end.
 */
async function timeRestarts(crash: (child: Pid) => Promise<void>): Promise<Measures<Restarts>> {
  const up = [on(['up', anyPid], ([, pid]) => pid)] as const;
  let child = await receive(up);
  let early = 0;
  let mid = 0;
  const t0 = performance.now();
  for (let i = 1; i <= RESTARTS; i++) {
    await crash(child);
    child = await receive(up);
    if (i === EARLY) early = heapUsed();
    if (i === MID) mid = heapUsed();
  }
  const us = ((performance.now() - t0) * 1000) / RESTARTS;
  const end = heapUsed();
  return { us, growth: (end - early) / (RESTARTS - EARLY), late: (end - mid) / (RESTARTS - MID) };
}

/** The anchor: a hand-written trap_exit loop that spawnLinks the child again on each EXIT. */
function handRolledRestarts(): Promise<Measures<Restarts>> {
  return inProcess(async () => {
    const me = self();
    processFlag('trap_exit', true);
    const startChild = (): Pid => spawnLink(async () => {
      send(me, ['up', self()]);
      await receive([on('crash', () => {
        throw new Error('crash');
      })]);
    });
    startChild();
    const exited = [on(['EXIT', _, _], () => startChild())] as const;
    return timeRestarts(async (child) => {
      send(child, 'crash');
      await receive(exited);
    });
  });
}

// ---- the run ---------------------------------------------------------------------------

const started = performance.now();

/** Every anchor that awaits; run before any process exists, and again after. */
async function anchors() {
  return {
    batched: await sample(5, () => anchorStream(STREAM, BATCH, false)),
    each: await sample(5, () => anchorStream(STREAM, BATCH, true)),
    all: await sample(5, () => anchorStream(STREAM, STREAM, false)),
    pingPong: await sample(5, () => anchorPingPong(PINGS)),
    backlog: await sample(3, () => backlogs(anchorBacklog)),
    idle: await sample(3, () => anchorIdle(IDLE)),
  };
}

const plain = await anchors();
const match = matchCase();
const erlgun = {
  batched: await sample(5, () => erlgunStream(STREAM, BATCH)),
  all: await sample(5, () => erlgunStream(STREAM, STREAM)),
  unread1: await sample(5, () => unreadPair(1)),
  unread100: await sample(5, () => unreadPair(100)),
  pingPong: await sample(5, () => erlgunPingPong(PINGS)),
  backlog: await sample(3, () => backlogs(erlgunBacklog)),
  idle: await sample(3, () => erlgunIdle(IDLE)),
};
const calls = await samplePair(9, 'ns', callRoundTrips, sendReceivePairs);
const otp = {
  call: calls.a,
  pair: calls.b,
  restarts: await sample(3, supervisorRestarts),
  handRolled: await sample(3, handRolledRestarts),
};
const taxed = await anchors();

// ---- the table ---------------------------------------------------------------------------

const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
// A ratio to an anchor at or below 0 (a heap that shrank) says nothing: left out.
const ratio = (a: number, b: number): string => (b > 0 ? `${num(a / b, 2)}×` : '—');
const rate = (ms: number): number => (STREAM * 1000) / ms;
/** The note's tail for an anchor that awaits: its value once AsyncLocalStorage is on, and erlgun's ratio to it. */
const withAls = (value: number, erlgunValue: number, digits = 0): string => `with ALS on: anchor ${num(value, digits)}, ratio ${ratio(erlgunValue, value)}`;

const spreads: string[] = [];
function row(label: string, e: Sample, a: Sample, digits: number, note: string, toValue: (x: number) => number = (x) => x): Row {
  spreads.push(`${spreads.length + 1}: ${spread(e)} / ${spread(a)}`);
  const ev = toValue(e.median);
  const av = toValue(a.median);
  return { case: label, erlgun: num(ev, digits), anchor: num(av, digits), ratio: ratio(ev, av), note };
}

const batchedRate = rate(erlgun.batched.ms.median);
const { backlog, idle } = erlgun;
const rows: Row[] = [
  row(`1. send→receive loop, 1→1, ${num(STREAM)} msgs in batches of ${num(BATCH)} (msgs/s)`, erlgun.batched.ms, plain.batched.ms, 0,
    `target ≥ 5,000,000: ${batchedRate >= 5e6 ? 'met' : 'NOT met'}; anchor awaits only when empty; ${withAls(rate(taxed.batched.ms.median), batchedRate)}`, rate),
  row('1. same, vs an anchor that awaits every message (msgs/s)', erlgun.batched.ms, plain.each.ms, 0,
    `a promise per message on both sides; ${withAls(rate(taxed.each.ms.median), batchedRate)}`, rate),
  row(`1. send all ${num(STREAM)}, then drain (msgs/s)`, erlgun.all.ms, plain.all.ms, 0,
    `all queued before the consumer runs; ${withAls(rate(taxed.all.ms.median), rate(erlgun.all.ms.median))}`, rate),
  row('1. batches as above, 1 unread message at the head (msgs/s)', erlgun.unread1.ms, erlgun.unread1.emptyMs, 0,
    `anchor: erlgun with an empty mailbox, run right after; target ≥ 0.95×: ${erlgun.unread1.emptyMs.median / erlgun.unread1.ms.median >= 0.95 ? 'met' : 'NOT met'}; each receive tests the unread one, then takes the next`, rate),
  row('1. same, 100 unread messages at the head (msgs/s)', erlgun.unread100.ms, erlgun.unread100.emptyMs, 0,
    'anchor: erlgun with an empty mailbox; K unread cost K pattern tests per receive, whatever was taken before', rate),
  row(`1b. ping-pong between 2 processes, ${num(PINGS)} round trips (round trips/s)`, erlgun.pingPong.ms, plain.pingPong.ms, 0,
    `anchor: 2 async functions over 2 RingQueues; ${withAls(PINGS * 1000 / taxed.pingPong.ms.median, PINGS * 1000 / erlgun.pingPong.ms.median)}`, (ms) => (PINGS * 1000) / ms),
  row('1b. a setTimeout(0) queued before the ping-pong fires after (ms)', erlgun.pingPong.timerMs, plain.pingPong.timerMs, 1,
    `target ≤ 50 ms: ${erlgun.pingPong.timerMs.max <= 50 ? 'met' : 'NOT met'} (worst of the runs: ${num(erlgun.pingPong.timerMs.max, 1)} ms); the anchor's microtasks starve it to the end`),
  row("2. match ['gun_ws', pid, ref, ['text', _]] (ns/match)", match.compiled, match.hand, 2,
    `target within 3×: ${match.compiled.median / match.hand.median <= 3 ? 'met' : 'NOT met'}; compilePattern vs a hand-written predicate; ${num(MATCH_MSGS)} mixed msgs, 1 in 4 match`),
  row(`3. take the 1 match behind ${num(SMALL)} non-matching (ms)`, backlog.scanSmall, plain.backlog.scanSmall, 2,
    `receive(…, 0); anchor: for loop + splice on an array; behind ${num(LARGE)}: ${num(backlog.scanLarge.median, 2)} ms, ${ratio(backlog.scanLarge.median, backlog.scanSmall.median)} (linear = 2×)`),
  row(`3. then drain the ${num(SMALL)}, one await receive each (ns/msg)`, backlog.drainSmall, plain.backlog.drainSmall, 0,
    `anchor: RingQueue, one await each; ${withAls(taxed.backlog.drainSmall.median, backlog.drainSmall.median)}`),
  row(`3. the same with ${num(LARGE)} (ns/msg)`, backlog.drainLarge, plain.backlog.drainLarge, 0,
    `per-message cost ${num(LARGE / 1000)}k ÷ ${num(SMALL / 1000)}k: ${num(backlog.drainLarge.median / backlog.drainSmall.median, 2)} (1 = linear drain); ${withAls(taxed.backlog.drainLarge.median, backlog.drainLarge.median)}`),
  row(`4. spawn ${num(IDLE)} processes, until all wait in receive (ms)`, idle.spawnMs, plain.idle.spawnMs, 0,
    `anchor: ${num(IDLE)} async functions awaiting a promise; ${withAls(taxed.idle.spawnMs.median, idle.spawnMs.median)}`),
  row('4. heap per idle process (bytes)', idle.bytes, plain.idle.bytes, 0,
    `heapUsed after gc(), ${num((idle.bytes.median * IDLE) / 2 ** 20)} MiB in all; ${withAls(taxed.idle.bytes.median, idle.bytes.median)}`),
  row(`4. send 'stop' to all ${num(IDLE)}, until all exited (ms)`, idle.stopMs, plain.idle.stopMs, 0,
    `anchor: resolve every promise; ${withAls(taxed.idle.stopMs.median, idle.stopMs.median)}`),
  row(`5. genServer.call round trip, ${num(CALLS)} in a row (ns/call)`, otp.call.ns, otp.pair.ns, 0,
    `target ≤ 2× (median of 9 alternating rounds' ratios): ${num(calls.ratio, 2)}×, ${calls.ratio <= 2 ? 'met' : 'NOT met'}; anchor: send + await receive to an echo process (a receive loop); both with ALS on`),
  row(`5. supervisor restarts a crashing gen_server ${num(RESTARTS)} times (µs/restart)`, otp.restarts.us, otp.handRolled.us, 1,
    'anchor: a hand-written trap_exit loop that spawnLinks the child again on each EXIT'),
  row(`5. the same: heap growth from restart ${num(EARLY)} to ${num(RESTARTS)} (bytes/restart)`, otp.restarts.growth, otp.handRolled.growth, 1,
    `${num((otp.restarts.growth.median * (RESTARTS - EARLY)) / 1024)} KiB over ${num(RESTARTS - EARLY)} restarts; heapUsed after gc(); an idle process is ~1,300 (row 4)`),
  row(`5. the same, second half only: restart ${num(MID)} to ${num(RESTARTS)} (bytes/restart)`, otp.restarts.late, otp.handRolled.late, 1,
    `target flat (≤ ${FLAT_BYTES} bytes/restart here): ${otp.restarts.late.median <= FLAT_BYTES ? 'met' : 'NOT met'}; a leak per restart grows as much in each half, warm-up only in the first`),
];

const cpu = cpus();
const source = import.meta.url.endsWith('.ts') ? 'TypeScript through tsx' : 'compiled with tsc';
printTable(`Runtime — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${source}`, 'anchor', rows);
console.log(`\nratio = erlgun ÷ anchor in the row's unit. Medians of 3–9 runs after a warm-up (the call row: 9, alternating with its anchor); spread (half the range ÷ median), erlgun / anchor: ${spreads.join('; ')}.`);
console.log(`"with ALS on": the same anchor re-run after erlgun processes have run (Node 20 promise hooks). Total ${num((performance.now() - started) / 1000, 1)} s.`);
