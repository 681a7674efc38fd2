// Websocket over HTTP/2 (RFC 8441): each gun.wsUpgrade is one stream of the connection, so
// two Websockets and a GET share it. Closing one ends only that stream: its close frame
// comes as gun_ws, and the connection stays up (no gun_down).
// Run: npm run example examples/websocket-h2.ts
import { _, gun, ok, on, receive } from 'erlgun';
import { startH2Server } from './_servers.js';

const server = await startH2Server();
const conn = gun.open('127.0.0.1', server.port, { protocols: ['http2'] });
console.log('up:', ok(await gun.awaitUp(conn)));

const chat = gun.wsUpgrade(conn, '/chat');
const feed = gun.wsUpgrade(conn, '/feed');
for (const ref of [chat, feed]) {
  await receive([on(['gun_upgrade', conn, ref, _, _], ([, , , protocols]) => console.log('upgraded:', protocols))]);
}

// Gun 2.x's form names the stream: with two Websockets on one connection it is needed.
gun.wsSend(conn, chat, ['text', 'Hello!']);
gun.wsSend(conn, feed, [['binary', Buffer.from('bytes')], ['text', 'more']]);
const frame = (ref: typeof chat) => receive([on(['gun_ws', conn, ref, _], ([, , , f]) => f)]);
console.log('chat:', await frame(chat));
console.log('feed:', await frame(feed));
console.log('feed:', await frame(feed));

// Close one Websocket: the server's reply comes as gun_ws, and nothing more.
gun.wsSend(conn, chat, ['close', 1000, 'bye']);
console.log('chat:', await frame(chat));

// The other Websocket and plain requests go on over the same connection.
gun.wsSend(conn, feed, ['text', 'still here']);
console.log('feed:', await frame(feed));
const get = gun.get(conn, '/after');
console.log('body:', ok(await gun.awaitBody(conn, get)).toString());
console.log('protocol:', gun.info(conn)?.protocol);

gun.close(conn);
await server.close();
