// Redis connection options from REDIS_URL, and the start-up check of the eviction policy.
import type { LoggerService } from '@nestjs/common';
import type { RedisOptions } from 'bullmq';
import type Redis from 'ioredis';

export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss://, got ${parsed.protocol}`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Producer connections give up on a command after one failed reconnection attempt (about a second or
 * two) instead of queueing it for ever: the outbox holds notifications itself and must learn of an
 * outage. Commands sent while the first connection is being made still wait for it.
 */
export function producerRedisOptions(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: 5_000 };
}

/** Evicting Redis would silently drop queued notifications; say so loudly at start. */
export async function warnUnlessNoEviction(redis: Redis, logger: LoggerService): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn(
        `Redis maxmemory-policy is "${policy}": under memory pressure Redis may evict queued notifications. ` +
          'Set maxmemory-policy noeviction.',
      );
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(`Could not read Redis maxmemory-policy (${reason}); make sure it is noeviction`);
  }
}
