// Reads the body of a bulk import: a JSON array of objects, or NDJSON (one object per line), up to 10 MB,
// far past the 100 kB other bodies may have. The rows themselves are checked later, one by one, by the job.
import type { Context } from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import { refuseUndecodable } from '../../http/body.ts';
import { JSON_BODY_TYPES } from '../../http/media-types.ts';
import { type FieldError, Problem, invalid } from '../../http/problem.ts';

export const NDJSON = 'application/x-ndjson';
export const IMPORT_BODY_LIMIT = '10mb';
/** How many faulty rows a 400 names: enough to fix a batch, not a second copy of a huge body. */
const NAMED_FAULTS = 20;

/**
 * Both kinds of body are read as text and parsed here. koa-body's JSON parser refuses a whole body for one
 * `__proto__` key (and offers no way to say otherwise), where such a key is one bad row among good ones, as it
 * already was in NDJSON. JSON.parse makes `__proto__` an own property like any other (it never sets a
 * prototype), which the row's schema then refuses by name; nothing merges rows into other objects.
 */
const parse = refuseUndecodable(
  koaBody({
    json: false,
    text: true,
    textLimit: IMPORT_BODY_LIMIT,
    textTypes: [...JSON_BODY_TYPES, NDJSON],
    urlencoded: false,
    multipart: false,
    parsedMethods: [HttpMethodEnum.POST],
  }),
);

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

function refuseFaults(faults: FieldError[], what: string): void {
  if (faults.length === 0) return;
  throw invalid(`Every ${what} must be a JSON object describing a ticket: look at ${faults.slice(0, 5).map((f) => f.detail.split(':')[0]).join(', ')}.`, faults.slice(0, NAMED_FAULTS));
}

function rowsOfArray(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalid(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(body)) throw invalid('The body must be a JSON array of tickets.', [{ pointer: '#', detail: 'must be an array' }]);
  const faults = body.flatMap((row, i) => (isObject(row) ? [] : [{ pointer: `#/${i}`, detail: `row ${i + 1}: must be an object` }]));
  refuseFaults(faults, 'row');
  return body;
}

/** One object per line; a final newline is welcome, a blank line elsewhere is a mistake (it shifts the row numbers). */
function rowsOfNdjson(text: string): unknown[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const faults: FieldError[] = [];
  const rows = lines.map((line, i) => {
    const fault = (detail: string) => faults.push({ pointer: `#/${i}`, detail: `line ${i + 1}: ${detail}` });
    if (line.trim() === '') return fault('is blank');
    try {
      const row: unknown = JSON.parse(line);
      if (!isObject(row)) fault('must be a JSON object');
      return row;
    } catch (error) {
      return fault(`is not valid JSON (${(error as Error).message})`);
    }
  });
  refuseFaults(faults, 'line');
  return rows;
}

/** The rows of the import, or a problem: 415 for another type, 413 past 10 MB, 400 for anything but rows. */
export async function readImportRows(ctx: Context): Promise<unknown[]> {
  const length = Number(ctx.get('Content-Length') || '0');
  if (ctx.get('Transfer-Encoding') === '' && length === 0) {
    throw invalid('Send the tickets to import as a JSON array, or as NDJSON (application/x-ndjson), in the request body.');
  }
  if (!ctx.is(...JSON_BODY_TYPES, NDJSON)) {
    throw new Problem('unsupported-media-type', `Send the import as application/json (an array) or ${NDJSON}; got ${ctx.get('Content-Type') || 'no Content-Type'}.`);
  }
  try {
    await parse(ctx, async () => {});
  } catch (error) {
    if ((error as { status?: number }).status === 413) {
      ctx.req.resume();
      throw new Problem('content-too-large', 'An import body is limited to 10 MB: split it into several imports.');
    }
    throw error;
  }
  const text = String(ctx.request.body ?? '');
  const rows = ctx.is(NDJSON) ? rowsOfNdjson(text) : rowsOfArray(text);
  if (rows.length === 0) throw invalid('The import has no rows: send at least one ticket.', [{ pointer: '#', detail: 'must not be empty' }]);
  return rows;
}
