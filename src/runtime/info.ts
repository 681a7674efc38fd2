import type { Pid, Ref } from './pid.js';
import { lookup } from './registry.js';

/** What `processInfo` tells about a live process. */
export interface ProcessInfo {
  readonly messageQueueLen: number;
  readonly messages: readonly unknown[];
  readonly links: readonly Pid[];
  readonly monitors: readonly Ref[];
  readonly monitoredBy: readonly Pid[];
  readonly trapExit: boolean;
  readonly registeredName: string | undefined;
  readonly status: 'waiting' | 'running';
}

/** A snapshot of a live process, or `undefined` for a dead pid (Erlang's `process_info/1`). */
export function processInfo(pid: Pid): ProcessInfo | undefined {
  const proc = lookup(pid);
  if (proc === undefined) return undefined;
  return {
    messageQueueLen: proc.mailbox.size,
    messages: proc.mailbox.toArray(),
    links: [...(proc.links ?? [])].map((p) => p.pid),
    monitors: (proc.monitors?.entries() ?? []).map(([ref]) => ref),
    monitoredBy: (proc.watchers?.entries() ?? []).map(([, p]) => p.pid),
    trapExit: proc.trapExit,
    registeredName: proc.name,
    status: (proc.waiter !== undefined && !proc.waiter.woken) || (proc.behaviour !== undefined && !proc.ready) ? 'waiting' : 'running',
  };
}

export function isProcessAlive(pid: Pid): boolean {
  return lookup(pid) !== undefined;
}
