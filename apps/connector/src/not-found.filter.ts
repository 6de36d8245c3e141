// Unknown routes answer 404 without echoing the path: Nest's own message ("Cannot GET /webapi/<token>/x")
// would send the token of the CRM's URL back, into whatever logs or caches the answer passes through.
import { Catch, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

@Catch(NotFoundException)
export class NotFoundFilter implements ExceptionFilter {
  catch(_exception: NotFoundException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(404).json({ statusCode: 404, error: 'Not Found', message: 'No such endpoint' });
  }
}
