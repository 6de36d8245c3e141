// GET (or POST) /webapi/<token>/makecall?first=<extension>&second=<number>: the CRM's click-to-call.
import { All, Controller, Inject, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MakecallService } from './makecall-service';
import { RateLimiter } from './rate-limiter';
import { maskToken, tokenMatches } from './token';

export const MAKECALL_SETTINGS = Symbol('MAKECALL_SETTINGS');

export interface MakecallSettings {
  token: string;
  ratePerSecond: number;
}

@Controller('webapi')
export class MakecallController {
  private readonly logger = new Logger('Makecall');
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(MakecallService) private readonly makecalls: MakecallService,
    @Inject(MAKECALL_SETTINGS) private readonly settings: MakecallSettings,
  ) {
    this.limiter = new RateLimiter(settings.ratePerSecond);
  }

  @All(':token/makecall')
  async makecall(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'POST') {
      response.status(405).set('Allow', 'GET, POST').json({ success: false, error: 'Use GET (or POST)' });
      return;
    }
    if (!tokenMatches(request.params.token, this.settings.token)) {
      this.logger.warn(`Refused ${request.method} ${maskToken(request.path)} from ${request.ip}: wrong token`);
      response.status(401).json({ success: false, error: 'Invalid token' });
      return;
    }
    if (!this.limiter.allow(request.ip ?? 'unknown')) {
      response.status(429).set('Retry-After', '1').json({ success: false, error: 'Too many makecall requests; slow down' });
      return;
    }
    const body: Record<string, unknown> = request.method === 'POST' && isObject(request.body) ? request.body : {};
    const first = request.query.first ?? body.first;
    const second = request.query.second ?? body.second;
    const answer = await this.makecalls.makecall(first, second);
    response.status(answer.status).json(answer.body);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
