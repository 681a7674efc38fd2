import { jest, test } from '@jest/globals';
import * as erlgun from 'erlgun';
import * as testing from 'erlgun/testing';
import defineCases from './cases.cjs';

defineCases({ test, erlgun, testing, fakeTimers: { install: () => jest.useFakeTimers(), uninstall: () => jest.useRealTimers() } });
