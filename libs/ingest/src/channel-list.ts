// Reads the answer to `show channels as json`: which legs FreeSWITCH still has.

/** `{"row_count": 0}` (no `rows`) or `{"row_count": N, "rows": [{"uuid": ...}, ...]}`. Throws on anything else. */
export function parseChannelList(body: string): Set<string> {
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || !('row_count' in parsed)) {
    throw new Error('show channels as json: not a channel list');
  }
  const rows = (parsed as { rows?: unknown }).rows;
  const legIds = new Set<string>();
  if (!Array.isArray(rows)) return legIds;
  for (const row of rows) {
    const uuid = (row as { uuid?: unknown } | null)?.uuid;
    if (typeof uuid === 'string' && uuid !== '') legIds.add(uuid);
  }
  return legIds;
}
