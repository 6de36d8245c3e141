// Typed errors of the ESL adapter, and the guard for values interpolated into ESL command lines.

/** A command got a `-ERR` (or `-USAGE`) reply. Carries the command verb, never its arguments (they may hold secrets). */
export class EslCommandError extends Error {
  override readonly name = 'EslCommandError';
  constructor(
    readonly verb: string,
    readonly replyText: string,
  ) {
    super(`ESL command '${verb}' failed: ${replyText}`);
  }
}

/** The connection was lost (or never established) before the command got its reply. */
export class EslDisconnectedError extends Error {
  override readonly name = 'EslDisconnectedError';
  constructor(
    readonly verb: string,
    reason: string,
  ) {
    super(`ESL command '${verb}' not answered: ${reason}`);
  }
}

/** No reply within the command timeout. */
export class EslTimeoutError extends Error {
  override readonly name = 'EslTimeoutError';
  constructor(
    readonly verb: string,
    readonly timeoutMs: number,
  ) {
    super(`ESL command '${verb}' got no reply within ${timeoutMs} ms`);
  }
}

/** A value meant for an ESL command line does not match its pattern (it could inject headers or commands). */
export class EslCommandInjectionError extends Error {
  override readonly name = 'EslCommandInjectionError';
  constructor(readonly argumentName: string) {
    super(`unsafe value for ESL command argument '${argumentName}'`);
  }
}

/**
 * Throws EslCommandInjectionError unless the WHOLE value matches `pattern` and holds no CR/LF.
 * The value itself is never put in the message: it may be attacker-controlled or secret.
 */
export function assertSafeCommandArgument(value: string, pattern: RegExp, name: string): void {
  if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new EslCommandInjectionError(name);
  // A fresh non-global, non-sticky copy: `lastIndex` of a shared /g regex must not change the verdict.
  const whole = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gym]/g, ''));
  if (!whole.test(value)) throw new EslCommandInjectionError(name);
}
