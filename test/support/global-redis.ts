// Vitest global setup: one real redis-server for the whole run; tests that restart Redis start their own.
import type { TestProject } from 'vitest/node';
import { RedisServer } from './redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await RedisServer.start();
  project.provide('redisUrl', redis.url);
  return () => redis.destroy();
}
