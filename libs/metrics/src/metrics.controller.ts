// /metrics (Prometheus) and /health/ready (Redis, FreeSWITCH and the CRM as the connector sees them).
import { CrmClient } from '@cc360/crm';
import { Delivery } from '@cc360/delivery';
import { EslClient } from '@cc360/esl';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ConnectorMetrics } from './connector-metrics';

@Controller()
export class MetricsController {
  constructor(
    @Inject(ConnectorMetrics) private readonly metrics: ConnectorMetrics,
    @Inject(Delivery) private readonly delivery: Delivery,
    @Inject(EslClient) private readonly esl: EslClient,
    @Inject(CrmClient) private readonly crm: CrmClient,
  ) {}

  @Get('metrics')
  async scrape(@Res() response: Response): Promise<void> {
    response.set('Content-Type', this.metrics.contentType).send(await this.metrics.metrics());
  }

  /** 200 when Redis answers, FreeSWITCH is connected and deliveries to the CRM are not failing; 503 otherwise. */
  @Get('health/ready')
  async ready(@Res() response: Response): Promise<void> {
    const redis = await this.delivery.ping().then(
      () => 'up',
      () => 'down',
    );
    const checks = {
      redis,
      freeswitch: this.esl.state === 'connected' ? 'up' : this.esl.state,
      crm: this.delivery.workers?.crmFailing ? 'failing' : 'up',
    };
    const ok = Object.values(checks).every((value) => value === 'up');
    response.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks, crmLogins: this.crm.loginCount });
  }
}
