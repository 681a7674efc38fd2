import { crashed } from './debug.js';
import { formatTerm } from './format.js';
import type { Pid } from './pid.js';

/** One crash report: a process died abnormally and nothing linked to or monitored it. */
export interface CrashReport {
  readonly pid: Pid;
  readonly reason: unknown;
  readonly text: string;
}

export type Logger = (report: CrashReport) => void;

const defaultLogger: Logger = (report) => console.error(report.text);
let logger: Logger = defaultLogger;

/** Replaces the crash logger (no argument: back to printing on stderr). Returns the previous one. */
export function setLogger(next?: Logger): Logger {
  const previous = logger;
  logger = next ?? defaultLogger;
  return previous;
}

export function logCrash(pid: Pid, reason: unknown): void {
  const text = `=ERROR REPORT==== Error in process ${pid} with exit value: ${formatTerm(reason)}`;
  crashed({ pid, reason, text });
  try {
    logger({ pid, reason, text });
  } catch {
    // A broken logger must not take the runtime down with it.
  }
}
