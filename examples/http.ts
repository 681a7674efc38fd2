// Gun 1.3 User Guide, chapter "HTTP": a GET and a receive loop over gun_response /
// gun_data with a monitor and `after`, then the same with gun.awaitBody.
// Run: npm run example examples/http.ts
import { _, after, demonitor, exit, gun, monitor, ok, on, receive, type Pid, type Ref, type StreamRef } from 'erlgun';
import { startDemoServer } from './_servers.js';

const server = await startDemoServer();
const conn = gun.open('127.0.0.1', server.port);
ok(await gun.awaitUp(conn));

// StreamRef = gun:get(ConnPid, "/organizations/ninenines"),
// MRef = monitor(process, ConnPid),
const streamRef = gun.get(conn, '/organizations/ninenines');
const mref = monitor(conn);
await receiveResponse(conn, mref, streamRef);
demonitor(mref, { flush: true });

// The same with the await helpers.
const again = gun.get(conn, '/organizations/ninenines', [['accept', 'application/json']]);
const [, fin, status] = await gun.await(conn, again) as readonly ['response', string, number, unknown];
console.log('await:', status, fin);
console.log('awaitBody:', ok(await gun.awaitBody(conn, again)).toString());

gun.close(conn);
await server.close();

async function receiveResponse(c: Pid, m: Ref, ref: StreamRef): Promise<void> {
  await receive([
    on(['gun_response', c, ref, 'fin', _, _], ([, , , , st]) => console.log('status:', st, '(no body)')),
    on(['gun_response', c, ref, 'nofin', _, _], async ([, , , , st]) => {
      console.log('status:', st);
      await receiveData(c, m, ref);
    }),
    on(['DOWN', m, 'process', c, _], ([, , , , reason]) => exit(reason)),
  ], after(1000, () => exit('timeout')));
}

async function receiveData(c: Pid, m: Ref, ref: StreamRef): Promise<void> {
  for (;;) {
    const done = await receive([
      on(['gun_data', c, ref, 'nofin', _], ([, , , , data]) => {
        console.log('data:', data.toString());
        return false;
      }),
      on(['gun_data', c, ref, 'fin', _], ([, , , , data]) => {
        console.log('data (fin):', data.toString());
        return true;
      }),
      on(['DOWN', m, 'process', c, _], ([, , , , reason]) => exit(reason)),
    ], after(1000, () => exit('timeout')));
    if (done) return;
  }
}
