// Tests written the way an Elixir project tests its Gun code with ExUnit, under node:test:
// a `setup` per test that starts what the test needs (ExUnit's `setup`, with `on_exit`
// cleanup), and the mailbox assertions of erlgun/testing — assert_receive, assert_received,
// refute_receive and `assert pattern = value` — against a real server on 127.0.0.1.
// Run: npm run example examples/exunit-style.test.ts   (or: node --test … examples/exunit-style.test.ts)
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { _, anyBuffer, gun, self, send, type Pid } from 'erlgun';
import { assertMatch, assertReceive, assertReceived, inProcess, refuteReceive } from 'erlgun/testing';
import { startDemoServer } from './_servers.js';

type Server = Awaited<ReturnType<typeof startDemoServer>>;
interface Context { readonly server: Server; readonly conn: Pid }

// setup do
//   {:ok, server} = DemoServer.start_link()
//   {:ok, conn} = :gun.open(~c"127.0.0.1", server.port)
//   assert_receive {:gun_up, ^conn, :http}, 1000
//   on_exit(fn -> DemoServer.stop(server) end)
//   %{server: server, conn: conn}
// end
// It runs inside the test's process, as ExUnit's setup does: the test process owns the
// connection, and the connection closes when the test process ends.
async function setup(t: TestContext): Promise<Context> {
  const server = await startDemoServer();
  t.after(() => server.close());
  const conn = gun.open('127.0.0.1', server.port, { retryTimeout: 50 });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  return { server, conn };
}

// `test "name", %{conn: conn} do … end`: each test is a process with its own mailbox.
function test(name: string, body: (ctx: Context) => Promise<void>): void {
  it(name, (t) => inProcess(async () => body(await setup(t))));
}

describe('Gun against a local server (ExUnit style)', () => {
  test('a GET: gun_response, then gun_data until fin', async ({ conn }) => {
    const ref = gun.get(conn, '/organizations/ninenines');
    // assert_receive {:gun_response, ^conn, ^ref, :nofin, 200, headers}
    const [, , , , , headers] = await assertReceive(['gun_response', conn, ref, 'nofin', 200, _], 1000);
    assert.ok(headers.some(([name, value]) => name === 'content-type' && value === 'application/json'));
    const [, , , , first] = await assertReceive(['gun_data', conn, ref, 'nofin', _], 1000);
    const [, , , , last] = await assertReceive(['gun_data', conn, ref, 'fin', _], 1000);
    assertMatch({ login: 'ninenines', name: 'Nine Nines' }, JSON.parse(Buffer.concat([first, last]).toString()));
  });

  test('assert_received: selective receive left the earlier message in the mailbox', async ({ conn }) => {
    const ref = gun.get(conn, '/organizations/ninenines');
    // Waiting for the last message skips the ones before it; they stay queued, in order.
    await assertReceive(['gun_data', conn, ref, 'fin', _], 1000);
    await assertReceived(['gun_response', conn, ref, 'nofin', 200, _]);
    await assertReceived(['gun_data', conn, ref, 'nofin', _]);
    await refuteReceive(['gun_data', conn, ref, _, _], 0);
  });

  test('assert pattern = value, on what the await helpers return', async ({ conn }) => {
    const ref = gun.get(conn, '/hello');
    // assert {:ok, body} = :gun.await_body(conn, ref)
    const [, body] = assertMatch(['ok', anyBuffer], await gun.awaitBody(conn, ref));
    assert.equal(body.toString(), 'hello from /hello');
  });

  test('a Websocket echo, and nothing more after it', async ({ conn }) => {
    const ws = gun.wsUpgrade(conn, '/websocket');
    await assertReceive(['gun_upgrade', conn, ws, ['websocket'], _], 1000);
    gun.wsSend(conn, ws, ['text', 'Hello!']);
    await assertReceive(['gun_ws', conn, ws, ['text', 'Hello!']], 1000);
    // refute_receive {:gun_ws, ^conn, ^ws, _}, 50
    await refuteReceive(['gun_ws', conn, ws, _], 50);
  });

  test('gun_down when the server drops the connection, then gun_up again', async ({ server, conn }) => {
    server.dropConnections();
    await assertReceive(['gun_down', conn, 'http', _, [], []], 1000);
    await assertReceive(['gun_up', conn, 'http'], 1000);
    const ref = gun.get(conn, '/after');
    assertMatch(['ok', anyBuffer], await gun.awaitBody(conn, ref));
  });

  test('a failing assert_receive names the pattern and shows the mailbox', async ({ conn }) => {
    send(self(), ['unrelated', 1]);
    await assert.rejects(assertReceive(['gun_ws', conn, _, _], 20), (error: Error) => {
      assert.match(error.message, /^Assertion failed, no matching message after 20ms\nPattern: \[ 'gun_ws', <0\.\d+\.0>, _, _ \]\nProcess mailbox \(1 message\):\n {2}\[ 'unrelated', 1 \]$/);
      return true;
    });
  });
});
