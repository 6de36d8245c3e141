// /health/live (the process answers: the Docker HEALTHCHECK) and /health/ready (Redis, FreeSWITCH and the
// CRM), through Terminus: 200 with every check "up", 503 with the failing checks under "error".
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ConnectorHealthIndicators } from './health-indicators';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(ConnectorHealthIndicators) private readonly indicators: ConnectorHealthIndicators,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.process()]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.redis(), () => this.indicators.freeswitch(), () => this.indicators.crmDeliveries()]);
  }
}
