// HTTP/2: a GET over h2c (prior knowledge: protocols ['http2'] over TCP). Over TLS,
// protocols ['http2', 'http'] lets ALPN pick. Two requests run at once on one connection.
// Run: npm run example examples/http2.ts
import { gun, ok } from 'erlgun';
import { startH2Server } from './_servers.js';

const server = await startH2Server();
const conn = gun.open('127.0.0.1', server.port, { protocols: ['http2'] });
console.log('up:', ok(await gun.awaitUp(conn)));

const a = gun.get(conn, '/first');
const b = gun.get(conn, '/second');
const [, fin, status] = await gun.await(conn, a) as readonly ['response', string, number, unknown];
console.log('status:', status, fin);
console.log('body:', ok(await gun.awaitBody(conn, a)).toString());
console.log('body:', ok(await gun.awaitBody(conn, b)).toString());

gun.close(conn);
await server.close();
