// Long work done a slice at a time: whatever holds the process yields to the event loop once a few milliseconds
// have passed, so that no other request (a health probe, a GET) waits behind it for longer than that.
import { setImmediate as yieldToOthers } from 'node:timers/promises';

/** How long work may hold the process before it lets others run: well under any delay a client would notice. */
const SLICE_MS = 3;

/** Call it between steps: it resolves at once while the slice lasts, and after a turn of the event loop once it is over. */
export type Pause = () => Promise<void>;

export function timeSlices(sliceMs = SLICE_MS): Pause {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < sliceMs) return;
    await yieldToOthers();
    started = performance.now();
  };
}
