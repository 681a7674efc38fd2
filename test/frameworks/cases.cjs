// The suite every runner runs, written once. It takes the runner's `test`, a way to fake the
// runner's timers, and erlgun's modules as that runner loaded them (CommonJS here, so jest's
// CommonJS mode can load it too). With ERLGUN_FAILING=1 it defines only tests that fail on
// purpose: scripts/check-frameworks.mjs then reads what the runner printed about them.
const http = require('node:http');

module.exports = function defineCases({ test, fakeTimers, erlgun, testing }) {
  const { _, gun, on, receive, self, send, spawn, spawnLink } = erlgun;
  const { assertReceive, inProcess, refuteReceive } = testing;
  const check = (ok, what) => {
    if (!ok) throw new Error(`check failed: ${what}`);
  };
  const failure = (promise) => promise.then(() => undefined, (e) => e);

  if (process.env.ERLGUN_FAILING === '1') {
    test('fails: an assertion that gets no matching message', () => inProcess(async () => {
      send(self(), ['hello', 1]);
      await assertReceive(['never', _], 20);
    }));
    test('fails: a linked process crashes', () => inProcess(async () => {
      spawnLink(() => {
        throw new Error('linked boom');
      });
      await receive([on('never', () => undefined)]);
    }));
    return;
  }

  test('assertReceive takes what a spawned process sends', () => inProcess(async () => {
    const me = self();
    spawn(() => send(me, ['hi', 1]));
    const [, n] = await assertReceive(['hi', _]);
    check(n === 1, 'the message is returned');
    await refuteReceive(['hi', _], 10);
  }));

  test('a failed assertion rejects inProcess with its AssertionError: pattern, mailbox, expected', async () => {
    const err = await failure(inProcess(async () => {
      send(self(), ['hello', 1]);
      await assertReceive(['never', _], 10);
    }));
    check(err !== undefined && err.name === 'AssertionError', `an AssertionError, got ${err && err.name}: ${err && err.message}`);
    check(err.message === "Assertion failed, no matching message after 10ms\nPattern: [ 'never', _ ]\nProcess mailbox (1 message):\n  [ 'hello', 1 ]", err.message);
    check(err.expected === "[ 'never', _ ]", `expected is ${String(err.expected)}`);
  });

  test('a linked crash rejects inProcess with the crash itself', async () => {
    const err = await failure(inProcess(async () => {
      spawnLink(() => {
        throw new Error('linked boom');
      });
      await receive([on('never', () => undefined)]);
    }));
    check(err !== undefined && err.message === 'linked boom', `the crash, got ${err && err.message}`);
  });

  test('assertions wait in real time under fake timers', () => inProcess(async () => {
    fakeTimers.install();
    try {
      const err = await failure(assertReceive('never', 20));
      check(err !== undefined && /after 20ms/.test(err.message), 'the assertion timed out');
      await refuteReceive('never', 5);
    } finally {
      fakeTimers.uninstall();
    }
  }));

  test('processes start and take turns under fake timers (jest fakes queueMicrotask and setImmediate too)', async () => {
    fakeTimers.install();
    try {
      await inProcess(async () => {
        const me = self();
        spawn(() => send(me, 'started'));
        await assertReceive('started', 1000);
        // Longer than one scheduling budget: the scheduler's yield to the event loop is real too.
        const echo = spawn(async () => {
          for (;;) await receive([on(['ping', _], ([, n]) => send(me, ['pong', n]))]);
        });
        for (let n = 0; n < 3000; n++) {
          send(echo, ['ping', n]);
          await receive([on(['pong', n], () => undefined)]);
        }
      });
    } finally {
      fakeTimers.uninstall();
    }
  });

  test('gun gets a response from a real server', async () => {
    const server = http.createServer((req, res) => res.end(`hi ${req.url}`));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await inProcess(async () => {
        const conn = gun.open('127.0.0.1', server.address().port);
        const ref = gun.get(conn, '/x');
        const [, body] = await gun.awaitBody(conn, ref);
        check(String(body) === 'hi /x', `body ${String(body)}`);
      });
    } finally {
      // After inProcess: its connections are closed by then, so close() does not wait on them.
      await new Promise((resolve) => server.close(resolve));
    }
  });
};
