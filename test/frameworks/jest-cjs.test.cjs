// `jest` is not destructured: babel-jest's hoisting plugin declares that name itself.
const globals = require('@jest/globals');
const erlgun = require('erlgun');
const testing = require('erlgun/testing');
const defineCases = require('./cases.cjs');

defineCases({ test: globals.test, erlgun, testing, fakeTimers: { install: () => globals.jest.useFakeTimers(), uninstall: () => globals.jest.useRealTimers() } });
