// jest's CommonJS mode. Before Node 24.9 jest cannot require() an ES module, so erlgun and its
// ESM-only dependencies are compiled to CommonJS by babel-jest (jest's usual recipe for them).
module.exports = {
  testMatch: ['<rootDir>/jest-cjs.test.cjs'],
  transform: { '\\.[cm]?js$': ['babel-jest', { plugins: ['@babel/plugin-transform-export-namespace-from', '@babel/plugin-transform-modules-commonjs'] }] },
  transformIgnorePatterns: ['/node_modules/(?!(nanoid|p-queue|p-timeout)/)'],
};
