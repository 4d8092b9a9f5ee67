// What each submitted row comes to: the ticket a single POST /tickets would create from it, or the problem
// document that POST would answer, numbered by row. A row is held to the limits of that single request (its
// size and nesting) before anything reads it: one past them is refused alone, unread, and the others import.
import type { RowOutcome, RowProblem } from '../../domain/imports.ts';
import { TICKET_DEFAULTS, type TicketFields } from '../../domain/tickets.ts';
import { BODY_LIMIT_BYTES } from '../../http/body.ts';
import { MAX_JSON_DEPTH, jsonShapeFault, jsonShapeMessage } from '../../http/json-shape.ts';
import { type FieldError, Problem, type ProblemKind, invalid } from '../../http/problem.ts';
import { readTicketBody } from '../tickets/bodies.ts';
import { type TicketCreateBody, createTicket } from '../tickets/schema.ts';

const KB = BODY_LIMIT_BYTES / 1024;

/**
 * Why a row of `bytes` bytes may not be read, or undefined when it is within the limits of one POST /tickets.
 * `depth` measures its nesting, and is asked only of a row within the size limit.
 */
export function pastRowLimits(bytes: number, depth: () => number): Problem | undefined {
  if (bytes > BODY_LIMIT_BYTES) {
    return new Problem(
      'content-too-large',
      `it is ${bytes} bytes, over the ${KB} kB (${BODY_LIMIT_BYTES} bytes) one POST /tickets may carry, so it was not read.`,
    );
  }
  const levels = depth();
  if (levels > MAX_JSON_DEPTH) {
    return invalid(
      `JSON bodies may nest at most ${MAX_JSON_DEPTH} levels deep, and this row nests ${levels}: it was not read.`,
      [{ pointer: '#', detail: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
    );
  }
  return undefined;
}

/**
 * What the stored rows hold in place of a row refused unread: its problem, as an array. Every row read is an
 * object (anything else refuses the whole body), so an array can only be this.
 */
type UnreadRow = [ProblemKind, string, FieldError[]];

export function unreadRow(problem: Problem): string {
  const entry: UnreadRow = [problem.kind, problem.detail, problem.extras.errors ?? []];
  return JSON.stringify(entry);
}

function fromUnread([kind, detail, errors]: UnreadRow): Problem {
  return new Problem(kind, detail, errors.length > 0 ? { errors } : {});
}

/** Only agents and admins import, and both may set every field: the full create body applies. */
function readRow(raw: unknown): TicketFields {
  if (Array.isArray(raw)) throw fromUnread(raw as UnreadRow);
  const fault = jsonShapeFault(raw);
  if (fault) throw invalid(jsonShapeMessage(fault), [fault]);
  const body = readTicketBody<typeof createTicket.schema, TicketCreateBody>(createTicket, raw);
  return { ...TICKET_DEFAULTS, ...body };
}

function rowProblem(problem: Problem, row: number): RowProblem {
  const { type, title, status, detail, errors } = problem.toDocument();
  return { type, title, status, detail: `Row ${row}: ${detail}`, row, ...(errors ? { errors } : {}) };
}

/** The outcome of the row numbered `row` (1-based). */
export function rowOutcome(raw: unknown, row: number): RowOutcome<TicketFields> {
  try {
    return { row, fields: readRow(raw) };
  } catch (error) {
    if (error instanceof Problem) return { row, problem: rowProblem(error, row) };
    throw error;
  }
}
