// What gen_server and gen_statem share, as Erlang's gen and sys modules do for them: the
// start with a name and a synchronous init, the stop request, and the sys requests answered
// by the behaviour's loop itself.
import { type Behaviour, startActor } from '../runtime/actor.js';
import { ExitError } from '../runtime/errors.js';
import type { Pid } from '../runtime/pid.js';
import type { Process } from '../runtime/process.js';
import { register, send, whereis } from '../runtime/registry.js';
import { actAs, exitReason, living } from '../runtime/scheduler.js';
import { linkProcesses, monitor, terminate } from '../runtime/signals.js';
import { awaitDown, type From, reply, resolve } from './call.js';
import type { StartResult } from './server.js';

/** @internal what an `init` callback's result came to: started, or why not */
export type InitOutcome = true | 'ignore' | readonly ['stop', unknown];

/**
 * @internal Starts a behaviour's process and runs `init` before returning, as gen:start does:
 * `init` runs synchronously as the new process, so the result (and a link's exit signal on
 * failure) are there when this returns. A taken name is `['already_started', pid]`.
 */
export function startGen<B extends Behaviour>(
  name: string | undefined,
  link: boolean,
  make: (proc: Process, parent: Pid) => B,
  init: (behaviour: B) => InitOutcome,
): StartResult<Pid> {
  const parent = living();
  if (name !== undefined) {
    const other = whereis(name);
    if (other !== undefined) return ['error', ['already_started', other]];
  }
  let behaviour!: B;
  const proc = startActor((p) => (behaviour = make(p, parent.pid)));
  if (link) linkProcesses(parent, proc);
  if (name !== undefined) register(name, proc.pid);
  let outcome: InitOutcome;
  const previous = actAs(proc);
  try {
    outcome = init(behaviour);
  } catch (error) {
    outcome = ['stop', exitReason(error)];
  } finally {
    actAs(previous);
  }
  if (outcome === true) return ['ok', proc.pid];
  const reason = outcome === 'ignore' ? 'normal' : outcome[1];
  terminate(proc, reason);
  // OTP 26's start_link: a trapping caller does not also get the EXIT of a server that failed to start.
  if (link && parent.trapExit) parent.mailbox.removeAll((m) => Array.isArray(m) && m[0] === 'EXIT' && m[1] === proc.pid);
  return outcome === 'ignore' ? 'ignore' : ['error', reason];
}

/**
 * @internal Stops a gen_server or gen_statem (`module` names it in exit reasons): its
 * terminate runs, then it exits with `reason`; resolves `'ok'` once it is gone.
 */
export async function stopGen(module: string, server: Pid | string, reason: unknown, timeout: number): Promise<'ok'> {
  const where = [module, 'stop', [server, reason, timeout]];
  const pid = resolve(server);
  if (pid === undefined) throw new ExitError(['noproc', where]);
  const mref = monitor(pid);
  const from: From = Object.freeze([pid, mref] as const);
  send(pid, ['$gen_system', from, ['terminate', reason]]);
  const got = await awaitDown(mref, timeout, where);
  if (got === 'noproc') throw new ExitError(['noproc', where]);
  if (got !== reason) throw new ExitError(got);
  return 'ok';
}

/** @internal the reply to a sys request whose fun threw */
export class SystemFailure {
  constructor(readonly error: unknown) {}
}

/** @internal a request handled by the behaviour's loop itself (sys and stop) */
export type SystemRequest =
  | readonly ['get_state']
  | readonly ['replace_state', (state: unknown) => unknown]
  | readonly ['terminate', unknown];

/**
 * @internal Answers a sys request with the behaviour's state as `get` and `set` see it; a
 * stop request calls `stop`. As sys does, a failing replace fun (or a `set` that refuses its
 * result) leaves the state as it was and the process running; the caller gets the error.
 */
export function systemRequest(from: From, req: SystemRequest, get: () => unknown, set: (next: unknown) => void, stop: (reason: unknown) => void): void {
  if (req[0] === 'get_state') reply(from, get());
  else if (req[0] === 'replace_state') {
    let next: unknown;
    try {
      next = req[1](get());
      set(next);
    } catch (error) {
      reply(from, new SystemFailure(error));
      return;
    }
    reply(from, next);
  } else stop(req[1]);
}
