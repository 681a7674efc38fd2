// Gun 1.3 User Guide, chapter "Websocket", snippet by snippet, in TypeScript.
// Run: npm run example examples/websocket.ts
import { _, after, exit, gun, ok, on, receive, type Headers, type Pid, type StreamRef, type WsFrame } from 'erlgun';
import { startDemoServer } from './_servers.js';

const server = await startDemoServer();
const conn = gun.open('127.0.0.1', server.port, { retryTimeout: 100 });
ok(await gun.awaitUp(conn));

// "Websocket upgrade"
//   StreamRef = gun:ws_upgrade(ConnPid, "/websocket").
const plain = gun.wsUpgrade(conn, '/websocket');
await awaitUpgrade(conn, plain);

// "Upgrade with Basic authorization" — on a second connection: one upgrade per connection.
const conn2 = gun.open('127.0.0.1', server.port);
const authorized = gun.wsUpgrade(conn2, '/secret', [['authorization', 'Basic dXNlcm5hbWU6cGFzc3dvcmQ=']]);
await awaitUpgrade(conn2, authorized);

// "Protocol negotiation":  gun:ws_upgrade(ConnPid, "/websocket", [], #{protocols => [{<<"xmpp">>, gun_ws_h}]}).
const conn3 = gun.open('127.0.0.1', server.port);
const xmpp = gun.wsUpgrade(conn3, '/websocket', [], { protocols: [['xmpp']] });
const headers = await awaitUpgrade(conn3, xmpp);
console.log('negotiated:', headers.find(([name]) => name === 'sec-websocket-protocol')?.[1]);

// "Sending data":  gun:ws_send(ConnPid, {text, "Hello!"}).
gun.wsSend(conn, ['text', 'Hello!']);

// "Receiving data":  receive {gun_ws, ConnPid, StreamRef, Frame} -> handle_frame(ConnPid, StreamRef, Frame) end.
await receive([on(['gun_ws', conn, plain, _], ([, c, ref, frame]) => handleFrame(c, ref, frame))]);

// A list of frames, in order (Gun 1.3.3 crashed on lists).
gun.wsSend(conn, [['text', 'one'], ['binary', Buffer.from('two')]]);
for (let i = 0; i < 2; i++) await receive([on(['gun_ws', conn, plain, _], ([, c, ref, frame]) => handleFrame(c, ref, frame))]);

// "Closing the connection": sending a close frame closes it cleanly; Gun then reconnects.
gun.wsSend(conn, 'close');
await receive([on(['gun_ws', conn, plain, _], ([, c, ref, frame]) => handleFrame(c, ref, frame))]);
await receive([on(['gun_down', conn, 'ws', _, _, _], ([, , protocol, reason]) => console.log('gun_down:', protocol, reason))]);
await receive([on(['gun_up', conn, _], ([, , protocol]) => console.log('gun_up again:', protocol))]);

for (const c of [conn, conn2, conn3]) gun.close(c);
await server.close();

// The guide's receive: upgrade success, refusal, error, and `after 1000 -> exit(timeout)`.
async function awaitUpgrade(c: Pid, ref: StreamRef): Promise<Headers> {
  return receive([
    on(['gun_upgrade', c, ref, ['websocket'], _], ([, , , , hs]) => {
      console.log('upgraded:', ref.toString());
      return hs;
    }),
    on(['gun_response', c, _, _, _, _], ([, , , , status, hs]) => exit(['ws_upgrade_failed', status, hs])),
    on(['gun_error', c, ref, _], ([, , , reason]) => exit(['ws_upgrade_failed', reason])),
  ], after(1000, () => exit('timeout')));
}

function handleFrame(_conn: Pid, _ref: StreamRef, frame: WsFrame): void {
  console.log('frame:', typeof frame === 'string' ? frame : [frame[0], String(frame[1])].join(' '));
}
