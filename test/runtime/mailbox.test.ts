import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mailbox } from '../../src/runtime/mailbox.js';

// A seeded generator, so a failure can be replayed.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('the ring-buffer mailbox behaves like an array under random pushes, selective takes, shifts and removals', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = random(seed);
    const box = new Mailbox();
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      const op = rnd();
      if (op < 0.5) {
        // Bursts, so the buffer grows past its first capacity and shrinks again.
        const n = 1 + Math.floor(rnd() * 40);
        for (let i = 0; i < n; i++) {
          box.push(next);
          model.push(next++);
        }
      } else if (op < 0.8) {
        const mod = 2 + Math.floor(rnd() * 5);
        const want = Math.floor(rnd() * mod);
        const got = box.take((m) => ((m as number) % mod === want ? 'hit' : undefined));
        const at = model.findIndex((m) => m % mod === want);
        if (at === -1) assert.equal(got, undefined);
        else {
          assert.equal(got, 'hit');
          assert.equal(box.taken, model[at]);
          model.splice(at, 1);
        }
      } else if (op < 0.9) {
        assert.equal(box.shift(), model.shift());
      } else if (op < 0.97) {
        const mod = 3 + Math.floor(rnd() * 7);
        const removed = box.removeAll((m) => (m as number) % mod === 0);
        const kept = model.filter((m) => m % mod !== 0);
        assert.equal(removed, model.length - kept.length);
        model.splice(0, model.length, ...kept);
      } else {
        assert.deepEqual(box.clear(), model);
        model.length = 0;
      }
      assert.equal(box.size, model.length, `seed ${seed}, step ${step}`);
    }
    assert.deepEqual(box.toArray(), model, `seed ${seed}`);
  }
});

test('offer hands messages to a behaviour oldest first, keeps what it postpones, and re-offers them after a state change', () => {
  const box = new Mailbox();
  for (const m of ['b1', 'b2', 'go', 'b3']) box.push(m);
  let open = false;
  const seen: string[] = [];
  const state = box.offer({
    state: () => open,
    handle(msg) {
      const m = msg as string;
      if (m === 'go') {
        open = true;
        seen.push(m);
        box.push('late'); // a message sent while handling is offered in the same run
        return true;
      }
      if (!open) return false;
      seen.push(m);
      return true;
    },
  }, false);
  assert.deepEqual(seen, ['go', 'b1', 'b2', 'b3', 'late']);
  assert.equal(box.size, 0);
  assert.equal(state, true);
});

test('postponed messages are not offered again after a handled message that leaves the state as it was (gen_statem)', () => {
  const box = new Mailbox();
  let calls = 0;
  const behaviour = {
    state: () => 'connecting',
    handle(msg: unknown): boolean {
      calls++;
      return msg === 'event';
    },
  };
  let state: unknown = behaviour.state();
  for (let i = 0; i < 1000; i++) {
    box.push('request');
    state = box.offer(behaviour, state);
  }
  for (let i = 0; i < 1000; i++) {
    box.push('event');
    state = box.offer(behaviour, state);
  }
  // Restart-from-oldest would offer the 1,000 postponed requests again after each event: 1,001,000 calls.
  assert.equal(calls, 2000);
  assert.equal(box.size, 1000);
});

test('a state change seen at the next offer (made outside a handler) re-offers the postponed messages, oldest first', () => {
  const box = new Mailbox();
  let open = false;
  const seen: unknown[] = [];
  const behaviour = {
    state: () => open,
    handle(msg: unknown): boolean {
      if (!open) return false;
      seen.push(msg);
      return true;
    },
  };
  box.push(1);
  box.push(2);
  let state = box.offer(behaviour, false);
  open = true;
  box.push(3);
  state = box.offer(behaviour, state);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(state, true);
});

test('a waiting receive tests only the messages that came since it last looked, whatever was taken before', () => {
  const box = new Mailbox();
  box.push('up');
  for (let i = 0; i < 100; i++) box.push(i);
  const tests: unknown[] = [];
  const pick = (m: unknown): true | undefined => {
    tests.push(m);
    return typeof m === 'number' ? true : undefined;
  };
  for (let i = 0; i < 100; i++) assert.equal(box.take(pick), true);
  assert.equal(tests.length, 200); // 'up' and the number, each time
  box.markSeen();
  tests.length = 0;
  box.push('noise');
  assert.equal(box.takeNew(pick), undefined);
  box.push(7);
  assert.equal(box.takeNew(pick), true);
  assert.deepEqual(tests, ['noise', 7]);
  assert.deepEqual(box.toArray(), ['up', 'noise']);
});

test('a big backlog taken from the middle keeps its order', () => {
  const box = new Mailbox();
  for (let i = 0; i < 10_000; i++) box.push(i);
  for (let i = 1; i < 10_000; i += 2) assert.equal(box.take((m) => (m === i ? true : undefined)), true);
  assert.equal(box.size, 5000);
  assert.deepEqual(box.toArray(), Array.from({ length: 5000 }, (_, i) => i * 2));
});
