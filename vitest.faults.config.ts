// The fault-injection suite (`npm run test:faults`): the same setup as vitest.config.ts, only test/faults,
// one file at a time and with room for minute-long outages. `npm test` leaves these out.
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.spec.ts'],
    exclude: configDefaults.exclude,
    testTimeout: 300_000,
    fileParallelism: false,
  },
});
