// queueMicrotask as it was when erlgun loaded. Fake timers replace the global one (jest's do by
// default), and processes start and actors run on microtasks: with the fake, nothing would run
// until the test advanced the fake clock.
export const enqueue: (callback: () => void) => void = queueMicrotask;
