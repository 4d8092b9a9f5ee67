// Drives a server with autocannon: keep-alive connections, each sending its next request as soon as the last is
// answered, for a fixed time. A failed or non-2xx answer is counted, never silently averaged in.
import autocannon from 'autocannon';

export interface Load {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
}

export interface Measured {
  /** Answers per second (2xx only: failures do not count as throughput). */
  perSecond: number;
  /** Mean, median and 99th percentile latency, ms. */
  mean: number;
  p50: number;
  p99: number;
  failures: number;
  /** Server CPU time per answer, µs, when the server's CPU clock was given. */
  cpuPerAnswer?: number;
}

export async function measure(url: string, load: Load, serverCpu?: () => Promise<number>): Promise<Measured> {
  const cpuBefore = await serverCpu?.();
  const result = await autocannon({
    url: new URL(load.path, url).href,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: load.connections,
    duration: load.seconds,
  });
  const ok = result['2xx'];
  const cpuAfter = await serverCpu?.();
  return {
    cpuPerAnswer:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / Math.max(1, ok),
    perSecond: ok / load.seconds,
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Several loads at once (one per server instance, say), as one figure: throughputs add up, latencies are the worst. */
export async function measureTogether(loads: { url: string; load: Load }[]): Promise<Measured> {
  const all = await Promise.all(loads.map(({ url, load }) => measure(url, load)));
  return {
    perSecond: all.reduce((sum, m) => sum + m.perSecond, 0),
    mean: Math.max(...all.map((m) => m.mean)),
    p50: Math.max(...all.map((m) => m.p50)),
    p99: Math.max(...all.map((m) => m.p99)),
    failures: all.reduce((sum, m) => sum + m.failures, 0),
  };
}
