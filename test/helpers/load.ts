// Clients that keep a server busy while a test breaks something under it, and remember every answer they got.
interface Answer {
  status: number | 'no answer';
  /** What the client was doing: 'create' or 'read'. */
  action: string;
  body?: Record<string, unknown>;
  retryAfter?: string | null;
  contentType?: string | null;
  /** The created ticket's title (for creates), so that a test can check it landed as acknowledged. */
  title?: string;
  error?: string;
}

export interface Load {
  answers: Answer[];
  /** Stops the clients and resolves once every request they sent has been answered (or failed). */
  stop(): Promise<void>;
}

/** One request, with a limit: an answer that does not come within `ms` is recorded as 'no answer' (a hang). */
async function attempt(send: () => Promise<Response>, action: string, title?: string): Promise<Answer> {
  try {
    const response = await send();
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    return {
      status: response.status,
      action,
      body,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      title,
    };
  } catch (error) {
    return { status: 'no answer', action, title, error: String(error) };
  }
}

/**
 * `clients` loops that each create a ticket, then read the list, again and again, through `fetch` (the server's,
 * authenticated as the admin), until stopped. A request that takes longer than `patienceMs` counts as a hang.
 */
export function keepBusy(
  fetch: (path: string, init?: RequestInit) => Promise<Response>,
  { clients = 8, patienceMs = 15_000, prefix = 'load' } = {},
): Load {
  const answers: Answer[] = [];
  let running = true;
  let n = 0;
  const loop = async (client: number) => {
    while (running) {
      const title = `${prefix} ${client}-${(n += 1)}`;
      answers.push(
        await attempt(
          () =>
            fetch('/tickets', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ title, requester: 'load@example.com' }),
              signal: AbortSignal.timeout(patienceMs),
            }),
          'create',
          title,
        ),
      );
      answers.push(await attempt(() => fetch('/tickets?size=5', { signal: AbortSignal.timeout(patienceMs) }), 'read'));
    }
  };
  const loops = Array.from({ length: clients }, (_, client) => loop(client));
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
