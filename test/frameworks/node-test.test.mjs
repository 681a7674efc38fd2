import { mock, test } from 'node:test';
import * as erlgun from 'erlgun';
import * as testing from 'erlgun/testing';
import defineCases from './cases.cjs';

defineCases({ test, erlgun, testing, fakeTimers: { install: () => mock.timers.enable(), uninstall: () => mock.timers.reset() } });
