// Byte-exact ESL frames as FreeSWITCH 1.11 writes them (see /work/shared/esl-captures/freeswitch-1.11),
// and a seeded splitter that cuts writes at arbitrary byte boundaries.

export type EventFields = Readonly<Record<string, string | readonly string[]>>;

export const DISCONNECT_NOTICE_BODY = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
export const RUDE_REJECTION_BODY = 'Access Denied, go away.\n';

export function authRequestFrame(): Buffer {
  return Buffer.from('Content-Type: auth/request\n\n');
}

export function commandReplyFrame(replyText: string, extraHeaders: Readonly<Record<string, string>> = {}): Buffer {
  const extra = Object.entries(extraHeaders).map(([name, value]) => `${name}: ${value}\n`).join('');
  return Buffer.from(`Content-Type: command/reply\nReply-Text: ${replyText}\n${extra}\n`);
}

/** api/response puts Content-Type first; events put Content-Length first (as in the captures). */
export function apiResponseFrame(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Type: api/response\nContent-Length: ${bytes.length}\n\n`), bytes]);
}

export function noticeFrame(contentType: 'text/disconnect-notice' | 'text/rude-rejection', body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Type: ${contentType}\nContent-Length: ${bytes.length}\n\n`), bytes]);
}

export function jsonEventFrame(fields: EventFields): Buffer {
  const bytes = Buffer.from(JSON.stringify(fields), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\nContent-Type: text/event-json\n\n`), bytes]);
}

/** Plain events URL-encode values; arrays become `ARRAY::a|:b`; `_body` follows the inner blank line. */
export function plainEventFrame(fields: EventFields): Buffer {
  let headerText = '';
  let body: string | undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (name === '_body' && typeof value === 'string') body = value;
    else if (name !== 'Content-Length') {
      const text = typeof value === 'string' ? value : `ARRAY::${value.join('|:')}`;
      headerText += `${name}: ${encodeURIComponent(text)}\n`;
    }
  }
  const inner =
    body === undefined ? `${headerText}\n` : `${headerText}Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  const bytes = Buffer.from(inner, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\nContent-Type: text/event-plain\n\n`), bytes]);
}

/** mulberry32: a tiny deterministic PRNG, so a failing split can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into pieces of 1..maxChunkBytes bytes. */
export function splitAtRandom(bytes: Buffer, random: () => number, maxChunkBytes: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = 1 + Math.floor(random() * maxChunkBytes);
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}
