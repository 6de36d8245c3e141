export { basicAuth } from './basic-auth';
export { DASHBOARD_ROUTE, DashboardModule, type DashboardOptions } from './dashboard.module';
