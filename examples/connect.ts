// Gun 1.3 User Guide, chapter "Connection": open, await_up, and the gun_down / gun_up pair
// across a server restart (Gun reconnects after retry_timeout; the owner only watches).
// Run: npm run example examples/connect.ts
import { _, gun, ok, on, receive } from 'erlgun';
import { startDemoServer } from './_servers.js';

let server = await startDemoServer();
const port = server.port;

// {ok, ConnPid} = gun:open("localhost", 8080, #{retry => 5, retry_timeout => 200}),
// {ok, Protocol} = gun:await_up(ConnPid),
const conn = gun.open('127.0.0.1', port, { retry: 5, retryTimeout: 200 });
console.log('up:', ok(await gun.awaitUp(conn)));

// The server goes away and comes back on the same port.
await server.close();
await receive([on(['gun_down', conn, _, _, _, _], ([, , protocol, reason, killed]) => console.log('gun_down:', protocol, reason, killed.length, 'killed'))]);
server = await startDemoServer(port);
await receive([on(['gun_up', conn, _], ([, , protocol]) => console.log('gun_up:', protocol))]);

const ref = gun.get(conn, '/after-restart');
console.log('body:', ok(await gun.awaitBody(conn, ref)).toString());

gun.close(conn);
await server.close();
