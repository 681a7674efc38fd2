import { BadMatchError } from './errors.js';

/** Gun's result shapes: `{ok, Value}` / `{error, Reason}`. */
export type Ok<T> = readonly ['ok', T];
export type Err<E = unknown> = readonly ['error', E];
export type Result<T, E = unknown> = Ok<T> | Err<E>;

/**
 * Unwraps `['ok', value, …]` (the second element), and throws `BadMatchError` for anything else: the TypeScript form of
 * Erlang's `{ok, Value} = …` (also over `genServer.start`'s `'ignore'`).
 * @example const protocol = ok(await gun.awaitUp(conn));
 */
export function ok<T>(result: readonly ['ok', T, ...unknown[]] | Err | 'ignore'): T {
  if (Array.isArray(result) && result[0] === 'ok') return result[1] as T;
  throw new BadMatchError(result, `no match of right hand side value ${JSON.stringify(result, replacer)}`);
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'serial' in value ? String(value) : value;
}
