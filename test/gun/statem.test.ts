// The connection is a gen_statem, run by the same core as genStatem: sys sees its state as
// [Gun 2.x state name, settled-upgrade count] and its data, as sys:get_state does on a Gun connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, gun, sys } from '../../src/index.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';
import { startWs } from '../helpers/servers.js';

test('sys.getState on a connection gives [[stateName, n], data]: connected, then connected_ws_only after the upgrade', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', conn, 'http']);
  const [state] = await sys.getState<readonly [unknown, unknown]>(conn);
  assert.deepEqual(state, ['connected', 0]);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 2000);
  const [after] = await sys.getState<readonly [readonly [string, number], unknown]>(conn);
  assert.equal(after[0], 'connected_ws_only');
  gun.close(conn);
}));
