import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, exit, monitor, processInfo, self, send, setLogger, type Pid } from '../../src/index.js';
import { startActor } from '../../src/runtime/actor.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';

test('an actor runs init after startActor returns, handles messages in order as itself, and postpones what it cannot handle yet', () => inProcess(async () => {
  const me = self();
  const log: unknown[] = [];
  let open = false;
  let pid!: Pid;
  const proc = startActor((p) => {
    pid = p.pid;
    return {
      init: () => log.push(['init', self() === pid]),
      state: () => open,
      handle: (msg) => {
        if (msg === 'open') open = true;
        else if (!open) return false; // postponed: stays queued, in order
        log.push(msg);
        if (msg === 'report') send(me, ['log', [...log]]);
        return true;
      },
    };
  });
  assert.equal(log.length, 0, 'init runs later');
  for (const m of ['a', 'b', 'open', 'c', 'report']) send(proc.pid, m);
  const [, seen] = await assertReceive(['log', _]);
  assert.deepEqual(seen, [['init', true], 'open', 'a', 'b', 'c', 'report']);
  assert.equal(processInfo(proc.pid)?.status, 'waiting');
}));

test('exit(reason) or a throw in a handler ends the actor: monitors see the reason and terminate runs once', () => inProcess(async () => {
  const terminated: unknown[] = [];
  const make = () => startActor(() => ({
    init: () => undefined,
    state: () => undefined,
    handle: (msg) => {
      if (msg === 'stop') exit('bye');
      throw new Error('boom');
    },
    terminate: (reason) => terminated.push(reason),
  })).pid;
  const a = make();
  const b = make();
  const ma = monitor(a);
  const mb = monitor(b);
  send(a, 'stop');
  send(b, 'anything');
  await assertReceive(['DOWN', ma, 'process', a, 'bye']);
  const [, , , , reason] = await assertReceive(['DOWN', mb, 'process', b, _]);
  assert.equal((reason as Error).message, 'boom');
  assert.deepEqual(terminated.slice(0, 1), ['bye']);
  assert.equal(terminated.length, 2);
}));

test('an exit signal from outside ends an idle actor; a crash nothing watches is logged once', () => inProcess(async () => {
  const lines: unknown[] = [];
  const previous = setLogger((report) => lines.push(report.reason));
  try {
    const pid = startActor(() => ({ init: () => undefined, state: () => undefined, handle: () => true })).pid;
    const mref = monitor(pid);
    exit(pid, 'kill');
    await assertReceive(['DOWN', mref, 'process', pid, 'killed']);
    const lonely = startActor(() => ({ init: () => exit('crashed'), state: () => undefined, handle: () => true })).pid;
    await new Promise((r) => setImmediate(r));
    assert.equal(processInfo(lonely), undefined);
    assert.deepEqual(lines, ['crashed']);
  } finally {
    setLogger(previous);
  }
}));
