/**
 * Two Jest projects. `unit`: pure, in-process tests (`NAME.test.ts`), no servers, no global setup;
 * `npm run test:unit` runs them alone in seconds. `integration`: tests that talk to the local
 * emulators, loopback servers, child processes, Chromium, gcloud or the built program
 * (`NAME.integration.test.ts`); the local emulators start in its global setup.
 * Both run the TypeScript sources as ES modules through swc.
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2023',
          experimental: { keepImportAttributes: true, emitAssertForImportAttributes: false },
        },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
};

const folders = '<rootDir>/{jobs,cli,shared,deploy,test,scripts}/**';

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [`${folders}/*.test.ts`],
      testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [`${folders}/*.integration.test.ts`],
      globalSetup: '<rootDir>/test/globalSetup.ts',
      globalTeardown: '<rootDir>/test/globalTeardown.ts',
    },
  ],
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
  maxWorkers: 2,
  // Jest reads the test timeout from the top level only, for every project.
  testTimeout: 60000,
};
