// RECORDING_MODE=connector with several connector instances on one FreeSWITCH: each instance sees every
// CHANNEL_ANSWER, and two uuid_record on one leg would write one file twice over. The first instance to
// claim the leg in Redis records it.
import Redis from 'ioredis';

/** Longer than any call: a claim only has to outlive the moment both instances see the same answer. */
const CLAIM_TTL_MS = 12 * 3_600_000;

export class RecordingClaims {
  private constructor(private readonly redis: Redis, private readonly prefix: string) {}

  static connect(redisUrl: string, prefix: string): RecordingClaims {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    redis.on('error', () => undefined); // a failed claim is reported by the recorder, with the leg
    return new RecordingClaims(redis, prefix);
  }

  /** True for the one instance that records the leg. */
  async claim(legId: string): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:recording:${legId}`, '1', 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
