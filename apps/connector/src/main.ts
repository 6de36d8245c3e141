// Entry point: validate the configuration, then start the connector. A bad configuration stops it here
// with one message that names every wrong variable.
import 'reflect-metadata';
import { ConfigError, loadConnectorConfig, type ConnectorConfig, type LogLevel } from '@cc360/config';
import { NestFactory } from '@nestjs/core';
import { Logger, type LogLevel as NestLogLevel } from '@nestjs/common';
import { AppModule } from './app.module';
import { createLogger, httpLogger, PinoNestLogger } from './logging';
import { NotFoundFilter } from './not-found.filter';

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

function configOrExit(): ConnectorConfig {
  try {
    return loadConnectorConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`cc360-bridge cannot start.\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const pinoLogger = createLogger(config.logLevel, config.logFormat);
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: new PinoNestLogger(pinoLogger) });
  app.useLogger(NEST_LEVELS[config.logLevel]);
  app.use(httpLogger(pinoLogger));
  app.useGlobalFilters(new NotFoundFilter());
  if (!config.admin) new Logger('Config').log('Queue dashboard off: set ADMIN_USER and ADMIN_PASSWORD to turn it on at /admin/queues');
  if (config.freeswitch.passwordIsDefault) {
    new Logger('Config').warn('FS_ESL_PASSWORD is the FreeSWITCH default "ClueCon": set your own event socket password');
  }
  await app.listen(config.httpPort);
  // Our own signal handling instead of Nest's enableShutdownHooks, which re-raises the signal after
  // closing: an orderly stop (ESL closed, in-flight deliveries finished, Redis closed) must exit 0.
  const stop = (signal: NodeJS.Signals) => {
    const logger = new Logger('Shutdown');
    logger.log(`${signal} received: finishing in-flight deliveries (at most ${config.shutdownTimeoutMs} ms)`);
    const watchdog = setTimeout(() => {
      logger.error('Shutdown took too long; exiting. Unfinished jobs stay in Redis for the next start.');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    watchdog.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`cc360-bridge stopped: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
