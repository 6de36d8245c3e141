// Requests per second per client address: a click that fires twenty times must not ring a phone twenty times.

export class RateLimiter {
  private readonly windows = new Map<string, { second: number; count: number }>();

  constructor(private readonly perSecond: number) {}

  /** True when this request is within the limit. */
  allow(client: string, now: number = Date.now()): boolean {
    const second = Math.floor(now / 1000);
    const window = this.windows.get(client);
    if (!window || window.second !== second) {
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(client, { second, count: 1 });
      return true;
    }
    window.count++;
    return window.count <= this.perSecond;
  }
}
