// The command line the tests start (bin/cahier.js) runs the TypeScript sources, never a build
// of the server that may be older than them.
process.env.CAHIER_SOURCES = '1';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120000,
  // Most suites wait on a database, LibreOffice or chromium rather than on the CPU: three workers
  // on a two-core machine run the suite in about 175 s instead of 265 s with jest's default (one).
  maxWorkers: 3,
  // office-addin-mock only needs the OfficeApp names of office-addin-manifest, whose full entry
  // pulls ES modules jest does not load.
  moduleNameMapper: { '^office-addin-manifest$': '<rootDir>/node_modules/office-addin-manifest/lib/officeApp.js' },
};
