// A small supervised gen_server, the way an Erlang application is laid out: a counter
// server (init, handleCall, handleCast, handleInfo with a timeout) under a one_for_one
// supervisor that restarts it when it crashes.
// Run: npx tsx examples/otp.ts
import { _, after, anyNumber, genServer, match, monitor, ok, on, processFlag, receive, supervisor, sys, type GenServer, type Pid } from 'erlgun';

type Call = readonly ['get'] | readonly ['add', number];
type Cast = readonly ['crash'];
interface State { readonly count: number; readonly idleTicks: number }

// The callback module. Every callback is synchronous and returns Erlang's tuples as arrays.
const counter: GenServer<State, Call, number, Cast, unknown, number> = {
  init: (start) => ['ok', { count: start, idleTicks: 0 }, 100],
  handleCall: (req, _from, state) => match(req, [
    on(['get'], () => ['reply', state.count, state, 100] as const),
    on(['add', anyNumber], ([, n]) => ['reply', state.count + n, { ...state, count: state.count + n }, 100] as const),
  ]),
  handleCast: () => {
    throw new Error('asked to crash');
  },
  // 100 ms without a message: the timeout action delivers 'timeout' here.
  handleInfo: (msg, state) => (msg === 'timeout' ? ['noreply', { ...state, idleTicks: state.idleTicks + 1 }] : ['noreply', state]),
};

// The supervisor's init: its flags and its children, as Erlang's supervisor init/1 returns them.
processFlag('trap_exit', true);
const sup = ok(supervisor.startLink({
  init: () => ['ok', [{ strategy: 'one_for_one', intensity: 3, period: 5 }, [
    { id: 'counter', start: () => genServer.startLink(counter, 0, { name: 'counter' }), shutdown: 1000 },
  ]]],
}, undefined));

// By name, the request and reply types are given at the call (a pid from start carries them).
const call = (req: Call): Promise<number> => genServer.call<Call, number>('counter', req);
await call(['add', 2]);
console.log('count:', await call(['add', 1]));

// Erlang's `receive after 150 -> ok end`: the server sees 100 ms without a message.
await receive([], after(150, () => 'ok'));
console.log('idle ticks:', (await sys.getState<State>('counter')).idleTicks);

const [[, before]] = await supervisor.whichChildren(sup);
const mref = monitor(before as Pid);
genServer.cast<Cast>('counter', ['crash']);
const reason = await receive([on(['DOWN', mref, 'process', _, _], ([, , , , why]) => (why as Error).message)]);
// The supervisor handled the EXIT before this request, so the new server is already there.
const [[, now]] = await supervisor.whichChildren(sup);
console.log(`crashed: ${reason}; restarted: ${now !== before}`);
console.log('count after restart:', await call(['get']));

try {
  await genServer.call('nobody', ['get'], 100);
} catch (error) {
  console.log('call to nobody:', (error as { reason?: unknown }).reason);
}

console.log('stopped:', await genServer.stop(sup, 'shutdown'));
