import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  _, demonitor, exit, isProcessAlive, link, monitor, on, processFlag, processInfo, receive, self, send, setLogger,
  spawn, spawnLink, spawnMonitor, register, whereis, unregister, registered, type CrashReport, ExitError, Pid,
} from '../../src/index.js';
import { assertReceive, assertReceived, inProcess, refuteReceive } from '../../src/testing/index.js';

const forever = () => receive([on('never', () => undefined)]);

test('pids and refs are unique, compared by identity and printable', () => inProcess(async () => {
  const a = spawn(forever);
  const b = spawn(forever);
  assert.notEqual(a, b);
  assert.match(String(a), /^<0\.\d+\.0>$/);
  const [, ref] = spawnMonitor(forever);
  assert.match(String(ref), /^#Ref<0\.\d+>$/);
  assert.ok(a.id.length >= 21);
  exit(a, 'kill');
  exit(b, 'kill');
}));

test('a body that returns exits normal; one that throws exits with the error; exit(reason) exits with reason', () => inProcess(async () => {
  const [p1, r1] = spawnMonitor(() => 42);
  await assertReceive(['DOWN', r1, 'process', p1, 'normal']);
  const err = new Error('crash');
  const [p2, r2] = spawnMonitor(() => { throw err; });
  const [, , , , reason] = await assertReceive(['DOWN', r2, 'process', p2, _]);
  assert.equal(reason, err);
  const [p3, r3] = spawnMonitor(async () => { await Promise.resolve(); exit(['shutdown', 'bye']); });
  const down = await assertReceive(['DOWN', r3, 'process', p3, _]);
  assert.deepEqual(down[4], ['shutdown', 'bye']);
}));

test('monitoring a dead pid delivers DOWN noproc at once', () => inProcess(async () => {
  const [dead, ref0] = spawnMonitor(() => undefined);
  await assertReceive(['DOWN', ref0, 'process', dead, 'normal']);
  const ref = monitor(dead);
  await assertReceived(['DOWN', ref, 'process', dead, 'noproc']);
}));

test('demonitor stops DOWN; flush: true removes one already delivered', () => inProcess(async () => {
  const p = spawn(forever);
  const ref = monitor(p);
  demonitor(ref);
  exit(p, 'kill');
  await refuteReceive(['DOWN', ref, _, _, _], 20);
  const [q, ref2] = spawnMonitor(() => undefined);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(processInfo(self())?.messageQueueLen, 1);
  demonitor(ref2, { flush: true });
  assert.equal(processInfo(self())?.messageQueueLen, 0);
  assert.equal(isProcessAlive(q), false);
}));

test('links propagate abnormal exits; normal exits do not kill', () => inProcess(async () => {
  const [watcher, wref] = spawnMonitor(async () => {
    spawnLink(() => 'done'); // normal: the watcher survives
    await receive([on('go', () => undefined)]);
    spawnLink(() => { exit('boom'); });
    await forever();
  });
  send(watcher, 'go');
  const [, , , , reason] = await assertReceive(['DOWN', wref, 'process', watcher, _]);
  assert.equal(reason, 'boom');
}));

test("trap_exit turns exit signals into ['EXIT', pid, reason] messages, normal ones included", () => inProcess(async () => {
  assert.equal(processFlag('trap_exit', true), false);
  const a = spawnLink(() => undefined);
  await assertReceive(['EXIT', a, 'normal']);
  const b = spawnLink(() => exit('bad'));
  await assertReceive(['EXIT', b, 'bad']);
  const c = spawn(forever);
  link(c);
  exit(c, 'kill');
  await assertReceive(['EXIT', c, 'killed']);
  exit(self(), 'please');
  await assertReceive(['EXIT', self(), 'please']);
}));

test("'kill' is untrappable and is seen as 'killed'", () => inProcess(async () => {
  const [p, ref] = spawnMonitor(async () => {
    processFlag('trap_exit', true);
    await forever();
  });
  await new Promise((r) => setTimeout(r, 1));
  exit(p, 'kill');
  await assertReceive(['DOWN', ref, 'process', p, 'killed']);
}));

test('exit(pid, reason) kills a non-trapping process; exit(pid, normal) is ignored by it', () => inProcess(async () => {
  const [p, ref] = spawnMonitor(forever);
  exit(p, 'normal');
  await refuteReceive(['DOWN', ref, _, _, _], 10);
  exit(p, 'stop');
  await assertReceive(['DOWN', ref, 'process', p, 'stop']);
}));

test('a killed process waiting in receive is woken with ExitError; its finally blocks run', () => inProcess(async () => {
  const me = self();
  const [p, ref] = spawnMonitor(async () => {
    try {
      await forever();
    } catch (e) {
      send(me, ['caught', e instanceof ExitError ? e.reason : e]);
      throw e;
    }
  });
  await new Promise((r) => setTimeout(r, 1));
  exit(p, 'stop');
  await assertReceive(['caught', 'stop']);
  await assertReceive(['DOWN', ref, 'process', p, 'stop']);
}));

test('linking to a dead pid sends noproc', () => inProcess(async () => {
  processFlag('trap_exit', true);
  const [dead, ref] = spawnMonitor(() => undefined);
  await assertReceive(['DOWN', ref, _, _, _]);
  link(dead);
  await assertReceive(['EXIT', dead, 'noproc']);
}));

test('sending to a dead pid is a silent no-op', () => inProcess(async () => {
  const [dead, ref] = spawnMonitor(() => undefined);
  await assertReceive(['DOWN', ref, _, _, _]);
  assert.deepEqual(send(dead, 'hello'), 'hello');
}));

test('register, whereis, send by name, unregister; names go away with the process', () => inProcess(async () => {
  const me = self();
  const p = spawn(async () => {
    const from = await receive([on(['ask', _], ([, f]) => f as Pid)]);
    send(from, 'answer');
  });
  register('answerer', p);
  assert.equal(whereis('answerer'), p);
  assert.ok(registered().includes('answerer'));
  assert.throws(() => register('answerer', me), { code: 'ERR_BADARG' });
  send('answerer', ['ask', me]);
  await assertReceive('answer');
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(whereis('answerer'), undefined);
  assert.throws(() => send('answerer', 'x'), { code: 'ERR_BADARG' });
  register('me', me);
  unregister('me');
  assert.equal(whereis('me'), undefined);
  assert.throws(() => unregister('me'), { code: 'ERR_BADARG' });
}));

test('processInfo shows the queue, links, monitors and flags; undefined for a dead pid', () => inProcess(async () => {
  const me = self();
  send(me, 'one');
  send(me, ['two']);
  const p = spawnLink(forever);
  const ref = monitor(p);
  processFlag('trap_exit', true);
  const info = processInfo(me)!;
  assert.equal(info.messageQueueLen, 2);
  assert.deepEqual(info.messages, ['one', ['two']]);
  assert.deepEqual(info.links, [p]);
  assert.deepEqual(info.monitors, [ref]);
  assert.equal(info.trapExit, true);
  assert.deepEqual(processInfo(p)!.monitoredBy, [me]);
  exit(p, 'kill');
  assert.equal(processInfo(p), undefined);
}));

test('monitors are listed oldest first, and DOWNs come in that order, across demonitors and a monitor added after', () => inProcess(async () => {
  const me = self();
  const a = spawn(forever);
  const b = spawn(forever);
  const [m1, m2, m3] = [monitor(a), monitor(a), monitor(b)];
  assert.deepEqual(processInfo(me)!.monitors, [m1, m2, m3]);
  demonitor(m1);
  const m4 = monitor(a);
  assert.deepEqual(processInfo(me)!.monitors, [m2, m3, m4]);
  assert.deepEqual(processInfo(a)!.monitoredBy, [me, me]);
  demonitor(m2);
  demonitor(m3);
  demonitor(m4);
  assert.deepEqual(processInfo(me)!.monitors, []);
  assert.deepEqual(processInfo(a)!.monitoredBy, []);
  const [m5, m6] = [monitor(a), monitor(a)];
  exit(a, 'kill');
  assert.deepEqual(processInfo(me)!.messages, [['DOWN', m5, 'process', a, 'killed'], ['DOWN', m6, 'process', a, 'killed']]);
  assert.deepEqual(processInfo(me)!.monitors, []);
  await refuteReceive(['DOWN', m4, _, _, _], 0);
  exit(b, 'kill');
  await refuteReceive(['DOWN', m3, _, _, _], 0);
}));

test('a crash nothing links to or monitors is logged once with its pid and reason; watched crashes are not', async () => {
  const reports: CrashReport[] = [];
  const previous = setLogger((r) => reports.push(r));
  try {
    await inProcess(async () => {
      const lonely = spawn(() => { throw new Error('nobody watches'); });
      const [watched, ref] = spawnMonitor(() => { throw new Error('watched'); });
      await assertReceive(['DOWN', ref, 'process', watched, _]);
      spawn(() => exit('shutdown'));
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(reports.length, 1);
      assert.equal(reports[0].pid, lonely);
      assert.match(reports[0].text, /Error in process <0\.\d+\.0> with exit value: Error: nobody watches/);
    });
  } finally {
    setLogger(previous);
  }
});

test('the script top level is a process: it has a pid and a mailbox', async () => {
  const shell = self();
  assert.ok(shell instanceof Pid);
  spawn(() => send(shell, 'to the shell'));
  await assertReceive('to the shell');
});

test('a process killed outside receive cannot link, monitor or spawn any more: the call throws its exit', () => inProcess(async () => {
  const me = self();
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const [victim, mref] = spawnMonitor(async () => {
    await gate; // not a receive: the kill cannot interrupt it
    const tries: unknown[] = [];
    for (const attempt of [() => spawnLink(forever), () => spawnMonitor(forever), () => spawn(forever), () => link(me), () => monitor(me)]) {
      try {
        attempt();
        tries.push('done');
      } catch (error) {
        tries.push(error instanceof ExitError ? error.reason : error);
      }
    }
    send(me, ['tries', tries]);
  });
  await new Promise((r) => setTimeout(r, 5));
  exit(victim, 'kill');
  await assertReceive(['DOWN', mref, 'process', victim, 'killed']);
  const before = registered().length + (processInfo(me)?.links.length ?? 0);
  release();
  const [, tries] = await assertReceive(['tries', _]);
  assert.deepEqual(tries, ['killed', 'killed', 'killed', 'killed', 'killed']);
  assert.equal(registered().length + (processInfo(me)?.links.length ?? 0), before);
}));

test('a process that monitors itself still has its crash logged (no DOWN can reach it)', async () => {
  const reports: CrashReport[] = [];
  const previous = setLogger((r) => reports.push(r));
  try {
    await inProcess(async () => {
      const pid = spawn(() => {
        monitor(self());
        throw new Error('alone with itself');
      });
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(reports.length, 1);
      assert.equal(reports[0].pid, pid);
    });
  } finally {
    setLogger(previous);
  }
});

test('killing the head of a 10,000-deep chain of links kills it all, without overflowing the stack', async () => {
  const reasons: unknown[] = [];
  const previous = setLogger((report) => reasons.push(report.reason));
  try {
    await inProcess(async () => {
      const DEPTH = 10_000;
      const pids: Pid[] = [];
      for (let i = 0; i < DEPTH; i++) {
        const prev = pids[i - 1];
        pids.push(spawn(() => {
          if (prev !== undefined) link(prev);
          return forever();
        }));
      }
      const tail = pids[DEPTH - 1];
      const mref = monitor(tail);
      await new Promise((resolve) => setImmediate(resolve)); // every body has linked
      assert.equal(exit(pids[0], 'boom'), true);
      await assertReceive(['DOWN', mref, 'process', tail, 'boom']);
      assert.equal(pids.filter((pid) => isProcessAlive(pid)).length, 0);
    });
  } finally {
    setLogger(previous);
  }
});
