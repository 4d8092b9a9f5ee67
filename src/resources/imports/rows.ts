// What each submitted row comes to: the ticket a single POST /tickets would create from it, or the problem
// document that POST would answer, numbered by row. Pure: the worker calls it, the store records the result.
import type { RowOutcome, RowProblem } from '../../domain/imports.ts';
import { TICKET_DEFAULTS, type TicketFields } from '../../domain/tickets.ts';
import { jsonShapeFault, jsonShapeMessage } from '../../http/json-shape.ts';
import { Problem, invalid } from '../../http/problem.ts';
import { readTicketBody } from '../tickets/bodies.ts';
import { type TicketCreateBody, createTicket } from '../tickets/schema.ts';

/** Only agents and admins import, and both may set every field: the full create body applies. */
function readRow(raw: unknown): TicketFields {
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
