// Tests run the TypeScript sources through SWC so Nest's decorator metadata works as in the build.
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

const lib = (name: string) => resolve(__dirname, `libs/${name}/src`);

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@cc360/admin': lib('admin'),
      '@cc360/calls': lib('calls'),
      '@cc360/config': lib('config'),
      '@cc360/crm': lib('crm'),
      '@cc360/delivery': lib('delivery'),
      '@cc360/esl': lib('esl'),
      '@cc360/ingest': lib('ingest'),
      '@cc360/journal': lib('journal'),
      '@cc360/makecall': lib('makecall'),
      '@cc360/metrics': lib('metrics'),
      '@cc360/recordings': lib('recordings'),
    },
  },
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts'],
    // The fault suite runs on its own: npm run test:faults (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    globalSetup: ['test/support/global-redis.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
