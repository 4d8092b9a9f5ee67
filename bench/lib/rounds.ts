// Measures variants in alternating rounds (A B A B …) and keeps the median of each, so that noise on a shared
// machine falls on every variant alike instead of on whichever happened to run while it struck.
import type { Measured } from './load.ts';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Medians per variant over `rounds` rounds, after one warm-up round that is thrown away. */
export async function alternate<K extends string>(
  rounds: number,
  variants: Record<K, () => Promise<Measured>>,
): Promise<Record<K, Measured>> {
  const names = Object.keys(variants) as K[];
  const seen = Object.fromEntries(names.map((name) => [name, [] as Measured[]])) as Record<K, Measured[]>;
  for (let round = 0; round <= rounds; round++) {
    for (const name of names) {
      const measured = await variants[name]();
      if (round > 0) seen[name].push(measured);
    }
  }
  const result = {} as Record<K, Measured>;
  for (const name of names) {
    const runs = seen[name];
    result[name] = {
      perSecond: median(runs.map((m) => m.perSecond)),
      mean: median(runs.map((m) => m.mean)),
      p50: median(runs.map((m) => m.p50)),
      p99: median(runs.map((m) => m.p99)),
      cpuPerAnswer: runs.every((m) => m.cpuPerAnswer !== undefined)
        ? median(runs.map((m) => m.cpuPerAnswer!))
        : undefined,
      failures: runs.reduce((sum, m) => sum + m.failures, 0),
    };
  }
  return result;
}
