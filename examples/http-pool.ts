// A small HTTP connection pool, written as an Erlang pool is: a gen_server that owns N Gun
// connections to one server and lends them out. `checkout` is a call whose reply is deferred
// (`noreply`, then `reply(From, Conn)`) while no connection is idle; `checkin` is a cast; the
// pool monitors each borrower, so a connection comes back if its borrower dies. A connection
// that goes down (gun_down) leaves the pool until its gun_up. Borrowers run Gun's receive
// loop themselves: gun_response, then gun_data until fin.
// Run: npm run example examples/http-pool.ts
import {
  _, after, demonitor, exit, genServer, gun, match, monitor, ok, on, receive, self, send, spawn, spawnMonitor,
  type From, type GenServer, type Pid, type Ref, type StreamRef,
} from 'erlgun';
import { startDemoServer } from './_servers.js';

interface Args { readonly port: number; readonly size: number; readonly watcher: Pid }
interface State {
  readonly conns: readonly Pid[];
  /** Connections that are up: only these are lent. */
  readonly up: readonly Pid[];
  readonly idle: readonly Pid[];
  /** Lent connections and the monitor of their borrower. */
  readonly out: readonly (readonly [conn: Pid, borrower: Ref])[];
  /** Callers of checkout waiting for a connection, oldest first. */
  readonly waiting: readonly From[];
  readonly watcher: Pid;
}
type Call = 'checkout' | 'status';
type Cast = readonly ['checkin', Pid];
type Status = Readonly<Record<'up' | 'idle' | 'out' | 'waiting', number>>;

const without = <T>(list: readonly T[], x: T): T[] => list.filter((y) => y !== x);

// A connection is free again (checked in, borrower died, or up again): to the oldest waiter, else idle.
function release(conn: Pid, state: State): State {
  if (!state.up.includes(conn)) return state;
  const [next, ...rest] = state.waiting;
  if (next === undefined) return { ...state, idle: [...state.idle, conn] };
  genServer.reply(next, conn);
  return { ...state, waiting: rest, out: [...state.out, [conn, monitor(next[0])]] };
}

const pool: GenServer<State, Call, Pid | Status, Cast, unknown, Args> = {
  init: ({ port, size, watcher }) => {
    const conns = Array.from({ length: size }, () => gun.open('127.0.0.1', port, { retryTimeout: 100 }));
    return ['ok', { conns, up: [], idle: [], out: [], waiting: [], watcher }];
  },
  handleCall: (req, from, state) => {
    if (req === 'status') return ['reply', { up: state.up.length, idle: state.idle.length, out: state.out.length, waiting: state.waiting.length }, state];
    const [conn, ...idle] = state.idle;
    // None idle: no reply now; the caller waits in its call until a connection is free.
    if (conn === undefined) return ['noreply', { ...state, waiting: [...state.waiting, from] }];
    return ['reply', conn, { ...state, idle, out: [...state.out, [conn, monitor(from[0])]] }];
  },
  handleCast: ([, conn], state) => {
    const lent = state.out.find(([c]) => c === conn);
    if (lent === undefined) return ['noreply', state];
    demonitor(lent[1], { flush: true });
    return ['noreply', release(conn, { ...state, out: without(state.out, lent) })];
  },
  handleInfo: (msg, state) => match(msg, [
    on(['gun_up', _, _], ([, conn]) => {
      const up = { ...state, up: [...state.up, conn] };
      send(state.watcher, ['pool', 'up', state.conns.indexOf(conn) + 1]);
      // A connection that went down while lent is still lent: it comes back at checkin.
      return ['noreply', state.out.some(([c]) => c === conn) ? up : release(conn, up)] as const;
    }),
    on(['gun_down', _, _, _, _, _], ([, conn]) => {
      send(state.watcher, ['pool', 'down', state.conns.indexOf(conn) + 1]);
      return ['noreply', { ...state, up: without(state.up, conn), idle: without(state.idle, conn) }] as const;
    }),
    on(['DOWN', _, 'process', _, _], ([, mref]) => {
      const lent = state.out.find(([, m]) => m === mref);
      return ['noreply', lent === undefined ? state : release(lent[0], { ...state, out: without(state.out, lent) })] as const;
    }),
    on(_, () => ['noreply', state] as const),
  ]),
  terminate: (_reason, state) => {
    for (const conn of state.conns) gun.close(conn);
  },
};

// The borrower's side: checkout, a GET with Gun's receive loop, checkin (even if the GET failed).
async function get(path: string): Promise<string> {
  const conn = await genServer.call<Call, Pid>('pool', 'checkout');
  try {
    return await fetch(conn, path);
  } finally {
    genServer.cast<Cast>('pool', ['checkin', conn]);
  }
}

async function fetch(conn: Pid, path: string): Promise<string> {
  const ref = gun.get(conn, path);
  const mref = monitor(conn);
  try {
    return await receive([
      on(['gun_response', conn, ref, 'fin', _, _], ([, , , , status]) => `${status}`),
      on(['gun_response', conn, ref, 'nofin', _, _], async ([, , , , status]) => `${status} ${await body(conn, mref, ref, '')}`),
      on(['gun_error', conn, ref, _], ([, , , reason]) => exit(reason)),
      on(['DOWN', mref, 'process', conn, _], ([, , , , reason]) => exit(reason)),
    ], after(2000, () => exit('timeout')));
  } finally {
    demonitor(mref, { flush: true });
  }
}

// receive {gun_data, ConnPid, StreamRef, nofin, Data} -> body(…, <<Acc/binary, Data/binary>>);
//         {gun_data, ConnPid, StreamRef, fin, Data} -> <<Acc/binary, Data/binary>> …
async function body(conn: Pid, mref: Ref, ref: StreamRef, acc: string): Promise<string> {
  const [fin, data] = await receive([
    on(['gun_data', conn, ref, _, _], ([, , , isFin, chunk]) => [isFin, acc + chunk.toString()] as const),
    on(['DOWN', mref, 'process', conn, _], ([, , , , reason]) => exit(reason)),
  ], after(2000, () => exit('timeout')));
  return fin === 'fin' ? data : body(conn, mref, ref, data);
}

const server = await startDemoServer();
const me = self();
ok(genServer.start(pool, { port: server.port, size: 3, watcher: me }, { name: 'pool' }));

// Six borrowers for three connections: three of them wait in checkout.
const paths = ['/a', '/b', '/c', '/d', '/e', '/f'];
for (const path of paths) spawn(async () => send(me, ['got', path, await get(path)]));
const results: string[] = [];
for (const _path of paths) results.push(await receive([on(['got', _, _], ([, path, text]) => `${path} -> ${text}`)], after(5000, () => exit('timeout'))));
for (const line of results.sort()) console.log(line);
await receiveEvents('up', 3);
console.log('status:', await genServer.call<Call, Status>('pool', 'status'));

// The server drops every connection: each leaves the pool on gun_down and rejoins on gun_up.
server.dropConnections();
await receiveEvents('down', 3);
await receiveEvents('up', 3);
console.log('after the drop:', await get('/again'));
console.log('status:', await genServer.call<Call, Status>('pool', 'status'));

// A borrower that dies holding a connection: the pool's monitor brings the connection back.
const [borrower, mref] = spawnMonitor(async () => {
  await genServer.call<Call, Pid>('pool', 'checkout');
  exit('crashed');
});
await receive([on(['DOWN', mref, 'process', borrower, _], ([, , , , reason]) => console.log('borrower exited:', reason))]);
console.log('status:', await genServer.call<Call, Status>('pool', 'status'));

console.log('stopped:', await genServer.stop('pool'));
await server.close();

// The pool's notifications, in whatever order the connections report them.
async function receiveEvents(event: 'up' | 'down', count: number): Promise<void> {
  const seen: number[] = [];
  while (seen.length < count) seen.push(await receive([on(['pool', event, _], ([, , n]) => n as number)], after(5000, () => exit('timeout'))));
  console.log(`pool: ${event}:`, seen.sort().join(', '));
}
