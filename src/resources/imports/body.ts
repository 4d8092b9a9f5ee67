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

const parse = refuseUndecodable(
  koaBody({
    json: true,
    jsonStrict: true,
    jsonLimit: IMPORT_BODY_LIMIT,
    jsonTypes: JSON_BODY_TYPES,
    text: true,
    textLimit: IMPORT_BODY_LIMIT,
    textTypes: [NDJSON],
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

function rowsOfArray(body: unknown): unknown[] {
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
  const rows = ctx.is(NDJSON) ? rowsOfNdjson(String(ctx.request.body ?? '')) : rowsOfArray(ctx.request.body);
  if (rows.length === 0) throw invalid('The import has no rows: send at least one ticket.', [{ pointer: '#', detail: 'must not be empty' }]);
  return rows;
}
