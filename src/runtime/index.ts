// The runtime's public surface: processes, mailboxes, selective receive, links,
// monitors, timers and the registry, with Erlang semantics and TypeScript names.
export { Pid, Ref, makeRef, isPid, isRef } from './pid.js';
export { spawn, spawnLink, spawnMonitor, self, type ProcessBody } from './scheduler.js';
export { send, register, unregister, whereis, registered, type Dest } from './registry.js';
export { receive, receiveNow, on, after, flush, TIMEOUT, type Timeout, type Clause, type After } from './receive.js';
export { match } from './match.js';
export { _, anyString, anyNumber, anyBuffer, anyPid, anyRef, when, matches, type Matcher, type Wildcard } from './pattern.js';
export type { Matched, PatternType, KnownMessages, KnownMessage } from './pattern-types.js';
export { link, unlink, monitor, demonitor, exit, processFlag, type DownMessage, type ExitMessage } from './signals.js';
export { processInfo, isProcessAlive, type ProcessInfo } from './info.js';
export { sendAfter, cancelTimer, readTimer } from './timers.js';
export { setClock, getClock, type Clock, type TimerHandle } from './clock.js';
export { setLogger, type Logger, type CrashReport } from './log.js';
export { messages } from './iterate.js';
export type { WaitOptions } from './abort.js';
export { channels as diagnosticsChannels } from './debug.js';
export { ok, type Ok, type Err, type Result } from './result.js';
export { formatTerm } from './format.js';
export {
  ErlgunError, BadArgError, BadMatchError, CaseClauseError, InvalidOptionError, InvalidHeaderError, InvalidFrameError, ExitError,
  isErlgunError, type ErlgunErrorCode,
} from './errors.js';
