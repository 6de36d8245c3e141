// The FIFO of commands awaiting their reply on one connection. FreeSWITCH answers strictly in
// command order, so a reply always belongs to the oldest command still queued.

import { EslCommandError, EslDisconnectedError, EslTimeoutError } from './esl-errors';

export interface EslReply {
  /** `command/reply` → its Reply-Text; `api/response` → its body. */
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** `api` is answered by an api/response, every other command (auth, event, bgapi) by a command/reply. */
export type EslReplyType = 'command/reply' | 'api/response';

interface PendingCommand {
  readonly verb: string;
  readonly expects: EslReplyType;
  readonly resolve: (reply: EslReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** Timed out: the caller was already rejected, but the slot stays so the late reply is not given to the next command. */
  abandoned: boolean;
}

export class EslCommandQueue {
  private readonly pending: PendingCommand[] = [];
  private closedReason: string | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Registers a command that was just written; the returned promise settles with its reply. */
  enqueue(verb: string, expects: EslReplyType): Promise<EslReply> {
    if (this.closedReason !== undefined) return Promise.reject(new EslDisconnectedError(verb, this.closedReason));
    return new Promise<EslReply>((resolve, reject) => {
      const entry: PendingCommand = {
        verb,
        expects,
        resolve,
        reject,
        abandoned: false,
        timer: setTimeout(() => {
          entry.abandoned = true;
          reject(new EslTimeoutError(verb, this.timeoutMs));
        }, this.timeoutMs),
      };
      this.pending.push(entry);
    });
  }

  /**
   * Hands a reply to the oldest command. False when no command was waiting, or the oldest waits for the
   * other kind of reply: the stream is out of step (a protocol desync), and the connection must be dropped.
   */
  settleOldest(reply: EslReply, type: EslReplyType): boolean {
    if (this.pending[0]?.expects !== type) return false;
    const entry = this.pending.shift();
    if (!entry) return false;
    clearTimeout(entry.timer);
    if (entry.abandoned) return true;
    if (isErrorReply(reply.text)) entry.reject(new EslCommandError(entry.verb, firstLine(reply.text)));
    else entry.resolve(reply);
    return true;
  }

  /** Rejects everything still waiting; later enqueues are rejected at once. */
  close(reason: string): void {
    this.closedReason ??= reason;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      if (!entry.abandoned) entry.reject(new EslDisconnectedError(entry.verb, reason));
    }
  }

  get size(): number {
    return this.pending.length;
  }
}

/** FreeSWITCH signals failure with `-ERR ...` (replies and api output) and `-USAGE: ...` (api output). */
function isErrorReply(text: string): boolean {
  return text.startsWith('-ERR') || text.startsWith('-USAGE');
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end === -1 ? text : text.slice(0, end)).trim();
}
