// What the runtime benchmark uses: the public API, plus the pattern compiler it measures.
export * from '../src/index.js';
export { compilePattern as compilePatternForBench } from '../src/runtime/pattern.js';
