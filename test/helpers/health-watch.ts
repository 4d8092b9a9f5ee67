// Watches GET /health while something else runs (issue 11: no single request may stall the server): a probe is
// sent every 20 ms whether or not the last one has been answered, and each is timed from when it was sent, so a
// stall of the server's event loop shows in full in the probe that was waiting through it.

export interface HealthWatch {
  /** Stops probing and waits for the probes in flight: the longest any waited, how many were sent, and what failed. */
  stop(): Promise<{ worstMs: number; probes: number; failures: string[] }>;
}

export function watchHealth(serverUrl: string, everyMs = 20): HealthWatch {
  const url = new URL('/health', serverUrl);
  const failures: string[] = [];
  const probes: Promise<number>[] = [];
  const probe = async () => {
    const sent = performance.now();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) failures.push(`/health answered ${response.status}`);
    } catch (error) {
      failures.push(`/health failed: ${(error as Error).message}`);
    }
    return performance.now() - sent;
  };
  probes.push(probe());
  const timer = setInterval(() => probes.push(probe()), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      const waits = await Promise.all(probes);
      return { worstMs: Math.max(...waits), probes: waits.length, failures: [...new Set(failures)] };
    },
  };
}
