// Watches GET /health while something else runs (issue 11: no single request may stall the server): a probe is
// due every 20 ms whether or not the last one has been answered, and each is timed from when it was due. Tests
// run the server in their own process, so a stall of its event loop also holds this timer: a probe timed from
// when it was sent would miss the stall whenever none was in flight, while one timed from when it was due shows
// the stall in full either way.

export interface HealthWatch {
  /** Stops probing and waits for the probes in flight: the longest any waited, how many were sent, and what failed. */
  stop(): Promise<{ worstMs: number; probes: number; failures: string[] }>;
}

/** Why a fetch failed, down to the socket's error code. */
export function failureOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
}

export function watchHealth(serverUrl: string, everyMs = 20): HealthWatch {
  const url = new URL('/health', serverUrl);
  const failures: string[] = [];
  const probes: Promise<number>[] = [];
  const ask = async () => {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) failures.push(`/health answered ${response.status}`);
  };
  const probe = async (due: number) => {
    try {
      // Once more on a failed connection: a kept-alive one that the server closed while a stall also held this
      // process's timers fails at first use; a client would open another, and the wait still counts in full.
      await ask().catch(ask);
    } catch (error) {
      failures.push(`/health failed: ${failureOf(error)}`);
    }
    return performance.now() - due;
  };
  const started = performance.now();
  let slot = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    probes.push(probe(started + slot * everyMs));
    // Slots missed during a stall are skipped, not sent in a burst after it.
    slot = Math.floor((performance.now() - started) / everyMs) + 1;
    timer = setTimeout(tick, Math.max(0, started + slot * everyMs - performance.now()));
  };
  tick();
  return {
    async stop() {
      clearTimeout(timer);
      const waits = await Promise.all(probes);
      return { worstMs: Math.max(...waits), probes: waits.length, failures: [...new Set(failures)] };
    },
  };
}
