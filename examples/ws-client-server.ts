// A Websocket client the way an Erlang application holds one: a gen_server that owns a Gun
// connection, upgrades it (wsOpts reconnect: the upgrade is re-issued after every reconnect),
// subscribes after each gun_upgrade, and forwards what the feed sends, under a one_for_one
// supervisor. The server drops the connection once (the client reconnects and resubscribes),
// then the client is killed once (the supervisor starts a new one, which subscribes again).
// Run: npm run example examples/ws-client-server.ts
import { _, after, anyPid, anyString, exit, genServer, gun, match, ok, on, processFlag, receive, self, supervisor, send, type GenServer, type Pid, type StreamRef } from 'erlgun';
import { startDemoServer } from './_servers.js';

interface Args { readonly port: number; readonly topic: string; readonly subscriber: Pid }
interface State extends Args { readonly conn: Pid; readonly ws: StreamRef; readonly upgrades: number }

// The callback module (feed_client.erl).
const feedClient: GenServer<State, 'upgrades', number, never, unknown, Args> = {
  // init(#{port := Port} = Args) ->
  //     {ok, ConnPid} = gun:open("127.0.0.1", Port, #{retry_timeout => 100}),
  //     StreamRef = gun:ws_upgrade(ConnPid, "/feed", [], #{reconnect => true}),
  //     {ok, Args#{conn => ConnPid, ws => StreamRef, upgrades => 0}}.
  // No await_up in init: gun_up and gun_upgrade arrive in handle_info like any message.
  init: (args) => {
    const conn = gun.open('127.0.0.1', args.port, { retryTimeout: 100 });
    const ws = gun.wsUpgrade(conn, '/feed', [], { reconnect: true });
    return ['ok', { ...args, conn, ws, upgrades: 0 }];
  },
  handleCall: (_req, _from, state) => ['reply', state.upgrades, state],
  // handle_info({gun_upgrade, ConnPid, StreamRef, [<<"websocket">>], _}, #{conn := ConnPid, ws := StreamRef} = S) -> …
  handleInfo: (msg, state) => match(msg, [
    on(['gun_up', state.conn, _], ([, , protocol]) => {
      console.log(`client: gun_up ${protocol}`);
      return ['noreply', state] as const;
    }),
    on(['gun_upgrade', state.conn, state.ws, ['websocket'], _], () => {
      // A new socket knows nothing of the last one's subscriptions: subscribe on every upgrade.
      console.log(`client: gun_upgrade, subscribing to ${state.topic}`);
      gun.wsSend(state.conn, state.ws, ['text', `subscribe ${state.topic}`]);
      return ['noreply', { ...state, upgrades: state.upgrades + 1 }] as const;
    }),
    on(['gun_ws', state.conn, state.ws, ['text', _]], ([, , , [, text]]) => {
      console.log(`client: gun_ws ${text}`);
      send(state.subscriber, ['feed', self(), text]);
      return ['noreply', state] as const;
    }),
    on(['gun_down', state.conn, _, _, _, _], ([, , protocol, reason]) => {
      // Gun reconnects by itself; the stream ref stays valid for the re-issued upgrade.
      console.log(`client: gun_down ${protocol} ${String(reason)}`);
      return ['noreply', state] as const;
    }),
    on(_, (other) => {
      console.log('client: unexpected', other);
      return ['noreply', state] as const;
    }),
  ]),
  terminate: (_reason, state) => {
    gun.close(state.conn);
  },
};

const server = await startDemoServer();
const me = self();

// feed_sup:init([]) -> {ok, {#{strategy => one_for_one, intensity => 3, period => 5}, [ChildSpec]}}.
processFlag('trap_exit', true);
const sup = ok(supervisor.startLink({
  init: () => ['ok', [{ strategy: 'one_for_one', intensity: 3, period: 5 }, [
    { id: 'feed_client', start: () => genServer.startLink(feedClient, { port: server.port, topic: 'prices', subscriber: me }, { name: 'feed_client' }), shutdown: 1000 },
  ]]],
}, undefined));

// What the subscriber's mailbox gets, one message at a time.
const next = (): Promise<readonly [Pid, string]> =>
  receive([on(['feed', anyPid, anyString], ([, from, text]) => [from, text] as const)], after(2000, () => exit('timeout')));
async function until(text: string): Promise<Pid> {
  for (;;) {
    const [from, got] = await next();
    console.log(`main: feed ${got}`);
    if (got === text) return from;
  }
}

const first = await until('prices 2');

// The server drops every connection: gun_down, then Gun reconnects, upgrades again, and the
// client subscribes again on the same process.
console.log('main: the server drops the connection');
server.dropConnections();
await until('subscribed prices');
const again = await until('prices 2');
console.log(`main: same client process: ${again === first}; upgrades: ${await genServer.call<'upgrades', number>('feed_client', 'upgrades')}`);

// The client itself dies: the supervisor starts a new one, which opens its own connection.
console.log('main: killing the client');
exit(first, 'kill');
await until('subscribed prices');
const restarted = await until('prices 2');
console.log(`main: new client process: ${restarted !== first}; upgrades: ${await genServer.call<'upgrades', number>('feed_client', 'upgrades')}`);

console.log('main: stopped:', await genServer.stop(sup, 'shutdown'));
await server.close();
