export { cc360Path, cc360RequestOf, type Cc360Method, type Cc360Request } from './cc360-requests';
export { CrmClient, type CrmAnswer, type CrmAuth, type CrmClientOptions } from './crm-client';
export { CrmRequestError, parseRetryAfter, type RetryClass } from './crm-errors';
