// jest's ESM mode (run with --experimental-vm-modules): no transform, erlgun loads as ES modules.
export default { testMatch: ['<rootDir>/jest-esm.test.mjs'], transform: {} };
