// Reads the body of a bulk import: a JSON array of objects, or NDJSON (one object per line), up to 10 MB,
// far past the 100 kB other bodies may have; each row is held to those 100 kB (and 32 levels of nesting) alone.
// Or the imports form as generic HAL-FORMS clients fill it, `{"tickets": "<array or NDJSON text>"}` (form-body.ts).
// The rows' fields are checked later, one by one, by the job.
import type { Context } from 'koa';
import coBody from 'co-body';
import { refuseUndecodable } from '../../http/body.ts';
import { JSON_BODY_TYPES, NDJSON } from '../../http/media-types.ts';
import { type FieldError, Problem, invalid } from '../../http/problem.ts';
import { type Pause, timeSlices } from '../../time-slices.ts';
import { pastRowLimits, unreadRow } from './rows.ts';
import { asFormProblem, formText, isFormObject } from './form-body.ts';
import { OPEN_OBJECT, type RowBytes, arrayRows, ndjsonRows, nesting } from './split.ts';

const IMPORT_BODY_LIMIT = '10mb';
/** How many faulty rows a 400 names: enough to fix a batch, not a second copy of a huge body. */
const NAMED_FAULTS = 20;

/**
 * Both kinds of body are read as bytes and cut into rows here (split.ts), never decoded or parsed whole.
 * koa-body's JSON parser would refuse a whole body for one `__proto__` key, where such a key is one bad row
 * among good ones: JSON.parse of a row makes `__proto__` an own property like any other (it never sets a
 * prototype), which the row's schema then refuses by name; nothing merges rows into other objects. co-body is
 * what koa-body reads with: the same limits, decompression and errors, but it can hand over the bytes.
 */
async function readBytes(ctx: Context): Promise<Buffer> {
  let body: Buffer = Buffer.alloc(0);
  const read = refuseUndecodable(async (_, next) => {
    // No encoding: the bytes as they came (decompressed), not a string.
    body = (await coBody.text(ctx, { limit: IMPORT_BODY_LIMIT, encoding: null as unknown as string })) as Buffer;
    await next();
  });
  await read(ctx, async () => {});
  return body;
}

function refuseFaults(faults: FieldError[], what: string): void {
  if (faults.length === 0) return;
  throw invalid(
    `Every ${what} must be a JSON object describing a ticket: look at ${faults
      .slice(0, 5)
      .map((f) => f.detail.split(':')[0])
      .join(', ')}.`,
    faults.slice(0, NAMED_FAULTS),
  );
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored form of each row (its JSON text, or what stands for it when it is past a single ticket's limits),
 * or a 400 naming every row that is not an object. A row is parsed here only to check it, one at a time, and
 * only within the limits; the worker parses it again when it comes to it.
 */
async function storedRows(
  body: Buffer,
  rows: AsyncGenerator<RowBytes>,
  what: 'row' | 'line',
  pause: Pause,
): Promise<string[]> {
  const stored: string[] = [];
  const faults: FieldError[] = [];
  for await (const { start, end, depth, index } of rows) {
    await pause();
    const fault = (detail: string) => faults.push({ pointer: `#/${index}`, detail: `${what} ${index + 1}: ${detail}` });
    if (start === end) {
      fault('is blank');
      continue;
    }
    const past = pastRowLimits(end - start, () => depth ?? nesting(body, start, end));
    if (past) {
      if (body[start] === OPEN_OBJECT) stored.push(unreadRow(past));
      else fault('must be a JSON object');
      continue;
    }
    const text = body.toString('utf8', start, end);
    try {
      if (isObject(JSON.parse(text))) stored.push(text);
      else fault('must be a JSON object');
    } catch (error) {
      fault(`is not valid JSON (${(error as Error).message})`);
    }
  }
  refuseFaults(faults, what);
  return stored;
}

/** The rows of a body as they will be stored, read with `pause` between short steps. */
function rowsOfBody(body: Buffer, kind: 'array' | 'ndjson', pause: Pause): Promise<string[]> {
  return kind === 'ndjson'
    ? storedRows(body, ndjsonRows(body, pause), 'line', pause)
    : storedRows(body, arrayRows(body, pause), 'row', pause);
}

const noRows = () =>
  invalid('The import has no rows: send at least one ticket.', [{ pointer: '#', detail: 'must not be empty' }]);

/**
 * The rows of the import as they will be stored (see storedRows), or a problem: 415 for another type, 413 past
 * 10 MB, 400 for anything but rows. Read a slice at a time: nothing here holds the process for long.
 */
export async function readImportRows(ctx: Context): Promise<string[]> {
  const length = Number(ctx.get('Content-Length') || '0');
  if (ctx.get('Transfer-Encoding') === '' && length === 0) {
    throw invalid(
      'Send the tickets to import as a JSON array, or as NDJSON (application/x-ndjson), in the request body.',
    );
  }
  if (!ctx.is(...JSON_BODY_TYPES, NDJSON)) {
    throw new Problem(
      'unsupported-media-type',
      `Send the import as application/json (an array) or ${NDJSON}; got ${ctx.get('Content-Type') || 'no Content-Type'}.`,
    );
  }
  let body: Buffer;
  try {
    body = await readBytes(ctx);
  } catch (error) {
    if ((error as { status?: number }).status === 413) {
      ctx.req.resume();
      throw new Problem('content-too-large', 'An import body is limited to 10 MB: split it into several imports.');
    }
    throw error;
  }
  const pause = timeSlices();
  if (!ctx.is(NDJSON) && isFormObject(body)) {
    const { text, kind } = await formText(body, pause);
    const rows = await rowsOfBody(text, kind, pause).catch((error: unknown) => {
      throw asFormProblem(error);
    });
    if (rows.length === 0) throw asFormProblem(noRows());
    return rows;
  }
  const rows = await rowsOfBody(body, ctx.is(NDJSON) ? 'ndjson' : 'array', pause);
  if (rows.length === 0) throw noRows();
  return rows;
}
