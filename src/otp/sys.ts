// sys:get_state / sys:replace_state for servers: answered by the server core itself.
import type { Pid } from '../runtime/pid.js';
import { request } from './call.js';
import { DEFAULT_CALL_TIMEOUT } from './gen-server.js';
import { SystemFailure } from './gen.js';

/** A server's state, as it is between two messages (sys:get_state). */
export function getState<S = unknown>(server: Pid | string, timeout: number = DEFAULT_CALL_TIMEOUT): Promise<S> {
  return request(server, (from) => ['$gen_system', from, ['get_state']], timeout, ['sys', 'get_state', [server, timeout]]) as Promise<S>;
}

/**
 * Replaces a server's state with `fn(state)` between two messages and resolves with the new
 * state (sys:replace_state). If `fn` throws, the state stays as it was and this rejects with its error.
 */
export async function replaceState<S>(server: Pid | string, fn: (state: S) => S, timeout: number = DEFAULT_CALL_TIMEOUT): Promise<S> {
  const got = await request(server, (from) => ['$gen_system', from, ['replace_state', fn]], timeout, ['sys', 'replace_state', [server, fn, timeout]]);
  if (got instanceof SystemFailure) throw got.error;
  return got as S;
}
