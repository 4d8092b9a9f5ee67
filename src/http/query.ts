// Reads query parameters into typed values, collecting every parameter at fault into one 400 problem.
import type { Context } from 'koa';
import { type FieldError, invalid } from './problem.ts';

export class QueryReader {
  private readonly errors: FieldError[] = [];

  constructor(private readonly ctx: Context) {}

  private raw(name: string): string | undefined {
    const value = this.ctx.query[name];
    if (Array.isArray(value)) {
      this.errors.push({ parameter: name, detail: 'must be given once' });
      return undefined;
    }
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: string, { min, max }: { min: number; max: number }): number | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.errors.push({ parameter: name, detail: `must be a whole number from ${min} to ${max}` });
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.errors.push({ parameter: name, detail: `must be one of ${allowed.join(', ')}` });
      return undefined;
    }
    return raw as T;
  }

  text(name: string, maxLength: number): string | undefined {
    const raw = this.raw(name)?.trim();
    if (raw === undefined || raw === '') return undefined;
    if (raw.length > maxLength) {
      this.errors.push({ parameter: name, detail: `must be at most ${maxLength} characters` });
      return undefined;
    }
    return raw;
  }

  /** A parameter checked by the caller; `undefined` from `parse` means it is at fault. */
  custom<T>(name: string, detail: string, parse: (raw: string) => T | undefined): T | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const value = parse(raw);
    if (value === undefined) this.errors.push({ parameter: name, detail });
    return value;
  }

  /** Throws the collected errors, if any. */
  done(): void {
    if (this.errors.length > 0) {
      const names = [...new Set(this.errors.map((e) => e.parameter))].join(', ');
      throw invalid(`The query is not valid: look at ${names}.`, this.errors);
    }
  }
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
/** The largest page number, cursor or id a query parameter may hold: past it, refused rather than compared as an imprecise number. */
export const MAX_NUMBER_PARAMETER = 10 ** 15;

export interface PageParameters {
  number: number;
  size: number;
  after?: number;
  before?: number;
}

/** page (1-based), size (at most 100), and the cursors that the API's own next/prev links carry. */
export function readPageParameters(query: QueryReader): PageParameters {
  const parameters: PageParameters = {
    number: query.integer('page', { min: 1, max: MAX_NUMBER_PARAMETER }) ?? 1,
    size: query.integer('size', { min: 1, max: MAX_PAGE_SIZE }) ?? DEFAULT_PAGE_SIZE,
  };
  const after = query.integer('after', { min: 0, max: MAX_NUMBER_PARAMETER });
  const before = query.integer('before', { min: 1, max: MAX_NUMBER_PARAMETER });
  if (after !== undefined) parameters.after = after;
  else if (before !== undefined) parameters.before = before;
  return parameters;
}
