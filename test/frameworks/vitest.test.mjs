import { test, vi } from 'vitest';
import * as erlgun from 'erlgun';
import * as testing from 'erlgun/testing';
import defineCases from './cases.cjs';

defineCases({ test, erlgun, testing, fakeTimers: { install: () => vi.useFakeTimers(), uninstall: () => vi.useRealTimers() } });
