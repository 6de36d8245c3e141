export { clickToCallVariables, originateCommand, type ClickToCall } from './dial-string';
export { parseMakecallRequest, type MakecallRequestResult } from './makecall-request';
export { MakecallService, type MakecallAnswer, type MakecallOptions, type MakecallResult } from './makecall-service';
export { MakecallModule, type MakecallModuleOptions } from './makecall.module';
export { maskToken, tokenMatches } from './token';
