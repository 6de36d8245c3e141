// Terminus health indicators of readiness: Redis answers, FreeSWITCH's event socket is connected, and the
// CRM takes deliveries. The CRM is judged from what the connector already sees (deliveries failing since
// the last success, the last login failing) rather than probed: a probe every few seconds would be load
// on the CRM and could not tell more.
import { CrmClient } from '@cc360/crm';
import { Delivery } from '@cc360/delivery';
import { EslClient } from '@cc360/esl';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

/** Shorter than a probe's usual timeout (3 s), so a stuck Redis reads as down rather than as a hung probe. */
export const REDIS_PING_TIMEOUT_MS = 2_000;

@Injectable()
export class ConnectorHealthIndicators {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(Delivery) private readonly delivery: Delivery,
    @Inject(EslClient) private readonly esl: EslClient,
    @Inject(CrmClient) private readonly crm: CrmClient,
  ) {}

  /** The process answers HTTP: liveness needs nothing more. */
  process(): HealthIndicatorResult<'process'> {
    return this.health.check('process').up({ uptimeSeconds: Math.round(process.uptime()) });
  }

  async redis(): Promise<HealthIndicatorResult<'redis'>> {
    const indicator = this.health.check('redis');
    const outcome = await pingWithin(() => this.delivery.ping(), REDIS_PING_TIMEOUT_MS);
    // No error text: it could carry the Redis URL, and with it a password.
    return outcome === 'answered' ? indicator.up() : indicator.down({ reason: outcome });
  }

  freeswitch(): HealthIndicatorResult<'freeswitch'> {
    const indicator = this.health.check('freeswitch');
    const state = this.esl.state;
    return state === 'connected' ? indicator.up({ state }) : indicator.down({ state });
  }

  crmDeliveries(): HealthIndicatorResult<'crm'> {
    const indicator = this.health.check('crm');
    const details = {
      deliveries: this.delivery.workers?.crmFailing ? 'failing' : 'ok',
      login: this.crm.loginFailing ? 'failing' : 'ok',
      logins: this.crm.loginCount,
    };
    return details.deliveries === 'ok' && details.login === 'ok' ? indicator.up(details) : indicator.down(details);
  }
}

async function pingWithin(ping: () => Promise<void>, timeoutMs: number): Promise<'answered' | 'error' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    return await Promise.race([
      ping().then(
        () => 'answered' as const,
        () => 'error' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
