// /metrics: Prometheus scrapes it. (Health endpoints are in health.controller.ts.)
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ConnectorMetrics } from './connector-metrics';

@Controller()
export class MetricsController {
  constructor(@Inject(ConnectorMetrics) private readonly metrics: ConnectorMetrics) {}

  @Get('metrics')
  async scrape(@Res() response: Response): Promise<void> {
    response.set('Content-Type', this.metrics.contentType).send(await this.metrics.metrics());
  }
}
