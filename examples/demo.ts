// The README's quick start: a local HTTP + Websocket server, one connection that does an
// HTTP GET and then a Websocket upgrade on the same socket, echoes a few frames, closes,
// and reconnects — printing every message as it arrives in this script's mailbox.
import { inspect } from 'node:util';
import { _, gun, on, receive, self, TIMEOUT, type StreamRef } from 'erlgun';
import { startDemoServer } from './_servers.js';

const server = await startDemoServer();
console.log(`server listening on 127.0.0.1:${server.port}; this script is process ${self()}\n`);

const conn = gun.open('127.0.0.1', server.port, { retryTimeout: 300 });
const any = [on(_, (msg) => msg)] as const;
const t0 = performance.now();

/** Receives the next message, prints it, and returns it. */
async function next(): Promise<unknown> {
  const msg = await receive(any, 3000);
  if (msg === TIMEOUT) throw new Error('the demo expected a message within 3 s');
  console.log(`${(performance.now() - t0).toFixed(0).padStart(5)} ms  ${inspect(msg, { breakLength: Infinity, depth: 6 })}`);
  return msg;
}
const is = (msg: unknown, tag: string): boolean => Array.isArray(msg) && msg[0] === tag;

await next(); // gun_up
const socket = (): string => `our socket is 127.0.0.1:${gun.info(conn)?.sockPort}`;
console.log(`         (${socket()})`);

gun.get(conn, '/');
while (!is(await next(), 'gun_data'));

const ws: StreamRef = gun.wsUpgrade(conn, '/ws');
await next(); // gun_upgrade
console.log(`         (${socket()}: the GET and the upgrade used the same connection)`);

gun.wsSend(conn, ['text', 'Hello!']);
gun.wsSend(conn, ws, [['text', 'a list'], ['binary', Buffer.from([1, 2, 3])]]);
for (let i = 0; i < 3; i++) await next(); // the echoes

gun.wsSend(conn, ['close', 1000, 'bye']);
await next(); // the server's close, echoed
await next(); // gun_down … ws normal
await next(); // gun_up … http (reconnected)
console.log(`         (${socket()}: a new connection, as Gun's guide says)`);
gun.close(conn);
await server.close();
