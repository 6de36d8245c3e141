import Redis from 'ioredis';
import { expect, inject, it } from 'vitest';

it('the per-run redis-server answers', async () => {
  const redis = new Redis(inject('redisUrl'));
  await redis.set('smoke', 'yes');
  expect(await redis.get('smoke')).toBe('yes');
  redis.disconnect();
});
