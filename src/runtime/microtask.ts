// queueMicrotask and setImmediate as they were when erlgun loaded. Fake timers replace the
// global ones (jest's do by default), and processes start and actors run on microtasks, and the
// scheduler yields to the event loop with setImmediate: with the fakes, nothing would run until
// the test advanced the fake clock.
export const enqueue: (callback: () => void) => void = queueMicrotask;
export const nextTurn: (callback: () => void) => NodeJS.Immediate = setImmediate;
