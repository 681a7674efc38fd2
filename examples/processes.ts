// The runtime alone, the way Erlang's "Getting Started" chapter on concurrency shows it:
// spawn, send, selective receive with an after timeout, monitor/DOWN, link/EXIT.
// Run: npm run example examples/processes.ts
import { _, after, anyNumber, exit, monitor, on, processFlag, receive, self, send, spawn, spawnLink, type Pid } from 'erlgun';

// A counter process: a receive loop with a state, like `loop(N) -> receive … end`.
function counter(): Pid {
  return spawn(async () => {
    let n = 0;
    for (;;) {
      const stop = await receive([
        on(['add', anyNumber], ([, k]) => { n += k; return false; }),
        on(['get', _], ([, from]) => { send(from as Pid, ['count', n]); return false; }),
        on('stop', () => true),
      ]);
      if (stop) return;
    }
  });
}

const me = self();
console.log(`shell is ${me}`);

const c = counter();
send(c, ['add', 2]);
send(c, ['add', 40]);
send(c, ['get', me]);
console.log('count:', await receive([on(['count', anyNumber], ([, n]) => n)]));

// Selective receive: 'second' is taken first; 'first' stays queued, in order.
send(me, 'first');
send(me, 'second');
console.log('took:', await receive([on('second', (m) => m)]));
console.log('then:', await receive([on(_, (m) => m)]));

// after: nothing matches within 50 ms.
console.log('after:', await receive([on('never', () => 'got it')], after(50, () => 'timeout')));

// monitor → DOWN
const ref = monitor(c);
send(c, 'stop');
console.log('down:', await receive([on(['DOWN', ref, 'process', c, _], ([, , , pid, reason]) => `${pid} exited ${String(reason)}`)]));

// link → EXIT, with trap_exit on
processFlag('trap_exit', true);
const worker = spawnLink(() => exit('crashed'));
console.log('exit:', await receive([on(['EXIT', worker, _], ([, pid, reason]) => `${pid} ${String(reason)}`)]));
