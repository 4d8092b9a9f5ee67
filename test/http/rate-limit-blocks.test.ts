// The block limiter over the store's own shared limiter (either engine): how big a block is, that requests
// arriving together share one reservation, that a refused block keeps what was still free and gives back the
// rest, that callers whose window ended are forgotten, and that a database failure reaches every waiting request.
import test from 'ava';
import { BlockLimiter, type Standing, blockSize } from '../../src/http/rate-limit-blocks.ts';
import { type Store, openStore } from '../../src/store/index.ts';
import { createTestDatabase } from '../helpers/database.ts';

async function withStore(run: (store: Store) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const store = await openStore({ url: database.url, synchronous: 'NORMAL' });
  try {
    await run(store);
  } finally {
    await store.close();
    await database.drop();
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a block is 1% of the limit, at least 1 and at most 1000', (t) => {
  const sizes = [1, 5, 120, 199, 200, 300, 1200, 99_999, 100_000, 1_000_000, 1_000_000_000].map((points) => [
    points,
    blockSize(points),
  ]);
  t.deepEqual(sizes, [
    [1, 1],
    [5, 1],
    [120, 1],
    [199, 1],
    [200, 2],
    [300, 3],
    [1200, 12],
    [99_999, 999],
    [100_000, 1000],
    [1_000_000, 1000],
    [1_000_000_000, 1000],
  ]);
});

test('requests for one caller arriving together share a reservation: ten of them take four blocks of 3, not ten', async (t) => {
  await withStore(async (store) => {
    const shared = await store.rateLimiter({ keyPrefix: 'together', points: 300, durationSeconds: 60 });
    const limiter = new BlockLimiter(shared);
    const standings = await Promise.all(Array.from({ length: 10 }, () => limiter.spend('caller')));
    t.true(standings.every((standing) => standing.admitted));
    t.deepEqual(
      standings.map((standing) => standing.remaining).sort((a, b) => b - a),
      [299, 298, 297, 296, 295, 294, 293, 292, 291, 290],
    );
    t.is((await shared.get('caller'))?.consumedPoints, 12);
  });
});

test('a block refused when only part of it was free keeps that part and gives the rest back: exactly the limit is admitted', async (t) => {
  await withStore(async (store) => {
    // 350 in blocks of 3: the 117th block finds 2 points free.
    const shared = await store.rateLimiter({ keyPrefix: 'partial', points: 350, durationSeconds: 60 });
    const limiter = new BlockLimiter(shared);
    const standings: Standing[] = [];
    for (let n = 0; n < 350; n++) standings.push(await limiter.spend('caller'));
    t.true(standings.every((standing) => standing.admitted));
    t.deepEqual(
      standings.map((standing) => standing.remaining),
      Array.from({ length: 350 }, (_, n) => 349 - n),
    );
    t.is((await shared.get('caller'))?.consumedPoints, 350, 'the point not kept was given back');
    standings.push(await limiter.spend('caller'));
    t.like(standings[350], { admitted: false, remaining: 0 });
    t.true(standings[350]!.msBeforeReset > 0 && standings[350]!.msBeforeReset <= 60_000);
    // Another instance finds nothing free either.
    t.like(await new BlockLimiter(shared).spend('caller'), { admitted: false, remaining: 0 });
  });
});

test('callers whose window ended are forgotten: three windows of 200 new callers each leave at most 400 held, not 600', async (t) => {
  await withStore(async (store) => {
    // 200 a second: blocks of 2, so each caller that spent one point leaves one held.
    const limiter = new BlockLimiter(await store.rateLimiter({ keyPrefix: 'many', points: 200, durationSeconds: 1 }));
    for (let window = 0; window < 3; window++) {
      if (window > 0) await pause(1100);
      for (let n = 0; n < 200; n++) t.true((await limiter.spend(`198.51.100.${window}:${n}`)).admitted);
    }
    t.true(limiter.held >= 200, `${limiter.held} held`);
    t.true(limiter.held <= 400, `${limiter.held} held`);
    // The callers of the current window keep their points: the next request of each costs no reservation.
    const next = await limiter.spend('198.51.100.2:199');
    t.like(next, { admitted: true, remaining: 198 });
  });
});

test('a database failure rejects every request waiting on the reservation with the database’s own error, not a refusal', async (t) => {
  const database = await createTestDatabase();
  const store = await openStore({ url: database.url, synchronous: 'NORMAL' });
  try {
    const limiter = new BlockLimiter(await store.rateLimiter({ keyPrefix: 'down', points: 300, durationSeconds: 60 }));
    await store.close();
    const outcomes = await Promise.allSettled(Array.from({ length: 3 }, () => limiter.spend('caller')));
    t.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['rejected', 'rejected', 'rejected'],
    );
    for (const outcome of outcomes)
      t.true(outcome.status === 'rejected' && outcome.reason instanceof Error, String(outcome));
  } finally {
    await database.drop();
  }
});
