// The operators' queue dashboard (Bull Board) at /admin/queues: every delivery lane, its failed jobs with
// reason and attempts, and a retry button. Off unless ADMIN_USER and ADMIN_PASSWORD are set.
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { basicAuth } from './basic-auth';

export const DASHBOARD_ROUTE = '/admin/queues';

export interface DashboardOptions {
  user: string;
  password: string;
  /** The lane queues (registered with @nestjs/bullmq by the delivery module). */
  queueNames: readonly string[];
}

@Module({})
export class DashboardModule {
  static forRoot(options: DashboardOptions): DynamicModule {
    return {
      module: DashboardModule,
      imports: [
        BullBoardModule.forRoot({ route: DASHBOARD_ROUTE, adapter: ExpressAdapter, middleware: basicAuth(options.user, options.password) }),
        BullBoardModule.forFeature(...options.queueNames.map((name) => ({ name, adapter: BullMQAdapter }))),
      ],
    };
  }
}
