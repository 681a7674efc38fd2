// Flow control (Gun 2.x `flow`): an owner that does not read holds the server back. Each
// gun_ws / gun_data uses one unit; at zero the stream is no longer read (TCP pushes back
// on the server); gun.updateFlow gives units back and reading resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, gun, InvalidOptionError, BadArgError, processInfo, self, send } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive } from '../../src/testing/index.js';
import { startHttp, startWs } from '../helpers/servers.js';

const FRAME = 4096;
// What one socket read (64 KiB) can hold beyond the flow: frames already read when reading stops.
const ONE_READ = Math.ceil(65536 / FRAME) + 1;

const count = (tag: string): number => (processInfo(self())?.messages ?? []).filter((m) => Array.isArray(m) && m[0] === tag).length;

test('wsOpts.flow: a flooding server is held back; the mailbox stays within flow plus one socket read; updateFlow resumes', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({ onConnection: (ws) => {
    const frame = Buffer.alloc(FRAME, 7);
    let sent = 0;
    // 16 frames a turn, so a client that reads keeps up; one that stops reading makes the data
    // back up past the kernel's buffers into ws's own. 20 MiB at most.
    const flood = (): void => {
      for (let i = 0; i < 16 && ws.bufferedAmount < 2 * 1024 * 1024 && sent < 5000; i++) {
        ws.send(frame);
        sent++;
      }
      if (ws.bufferedAmount >= 2 * 1024 * 1024) send(me, ['server backed up', sent]);
      else if (sent < 5000) setImmediate(flood);
      else send(me, ['server never backed up', sent]);
    };
    flood();
  } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/', [], { flow: 10 });
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive(['server backed up', _], 5000);
  const held = count('gun_ws');
  assert.ok(held >= 10 && held <= 10 + ONE_READ, `${held} gun_ws in the mailbox`);
  gun.updateFlow(conn, ref, 100);
  // Reading resumed: the 100 new units bring frames past what was held.
  for (let i = 0; i < held + 50; i++) await assertReceive(['gun_ws', conn, ref, ['binary', _]], 2000);
  gun.close(conn);
}));

test('reqOpts.flow: a large body stops being read at the flow; updateFlow lets the rest through, whole and in order', (t) => inProcess(async () => {
  const size = 32 * 1024 * 1024;
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) body.writeUInt32BE(i, i);
  let finished = false;
  const srv = await startHttp((_req, res) => {
    res.on('finish', () => {
      finished = true;
    });
    res.end(body);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.get(conn, '/', [], { flow: 3 });
  await assertReceive(['gun_response', conn, ref, 'nofin', 200, _], 1000);
  for (let i = 0; i < 3; i++) await assertReceive(['gun_data', conn, ref, 'nofin', _], 2000);
  await refuteReceive(['gun_data', conn, ref, _, _], 100);
  assert.equal(finished, false);
  gun.updateFlow(conn, ref, 1_000_000);
  const chunks: Buffer[] = [];
  for (;;) {
    const [, , , fin, chunk] = await assertReceive(['gun_data', conn, ref, _, _], 5000);
    chunks.push(chunk);
    if (fin === 'fin') break;
  }
  const rest = Buffer.concat(chunks);
  assert.ok(rest.length > 0 && rest.length < size);
  assert.ok(body.subarray(size - rest.length).equals(rest), 'the rest of the body, in order');
}));

test('flow is checked at the call; updateFlow takes a positive integer and ignores unknown streams', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  for (const flow of [0, -1, 1.5, 'x']) {
    assert.throws(() => gun.get(conn, '/', [], { flow } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'reqOpts.flow');
    assert.throws(() => gun.wsUpgrade(conn, '/', [], { flow } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'wsUpgrade.opts.flow');
    assert.throws(() => gun.open('127.0.0.1', srv.port, { wsOpts: { flow } } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'wsOpts.flow');
  }
  for (const n of [0, -1, 0.5, NaN]) assert.throws(() => gun.updateFlow(conn, conn as never, n), BadArgError);
  const ref = gun.get(conn, '/');
  gun.updateFlow(conn, ref, 5);
  assert.equal((await gun.awaitBody(conn, ref, 1000))[1]?.toString(), 'ok');
  gun.updateFlow(conn, ref, 5);
  await refuteReceive(['gun_error', conn, _], 20);
}));
