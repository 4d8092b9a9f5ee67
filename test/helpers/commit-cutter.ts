// A TCP proxy on loopback between the server and PostgreSQL, for one fault: once armed, it cuts the first
// connection on which PostgreSQL answers a COMMIT, before that answer reaches the client. The database has
// committed; the client hears only that its connection broke. A network fault, injected on the wire: nothing
// of ours or of the database is replaced.
import { type Socket, connect, createServer } from 'node:net';

/** PostgreSQL's CommandComplete tag for a COMMIT (the message body ends in a NUL). */
const COMMIT_COMPLETE = Buffer.from('COMMIT\0');

export interface CommitCutter {
  /** The database URL `url` made to go through the proxy. */
  via(url: string): string;
  /** Cut the next connection whose server answers a COMMIT. */
  arm(): void;
  /** How many COMMIT answers were cut off. */
  cuts(): number;
  close(): Promise<void>;
}

export async function startCommitCutter(databaseUrl: string): Promise<CommitCutter> {
  const target = new URL(databaseUrl);
  let armed = false;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
      socket.on('error', cut);
    }
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(COMMIT_COMPLETE)) {
        armed = false;
        cuts += 1;
        return cut();
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    via(url) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.href;
    },
    arm: () => void (armed = true),
    cuts: () => cuts,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
