// Bulk imports as HAL: pure functions from stored jobs and rejected rows to documents. Every href comes from the
// registry; the created tickets are the tickets collection filtered by the import.
import { type ImportJob, type RowProblem, isUnfinished } from '../../domain/imports.ts';
import { JSON_TYPE, NDJSON } from '../../http/media-types.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import type { Page } from '../../store/pagination.ts';
import type { Rejection } from '../../store/imports.ts';

/**
 * How fast a job goes and how long it has left, so a client can draw a progress bar without keeping its own
 * clock: the rate is the rows processed over the time since it started (until it finished, or `now`).
 * Unknown (null) before the first rows are done.
 */
export function pace(
  job: ImportJob,
  now: number,
): { percent: number; rowsPerSecond: number | null; secondsLeft: number | null } {
  const { total, processed, startedAt, finishedAt } = job;
  const percent = total === 0 ? 100 : Math.floor((processed / total) * 1000) / 10;
  const seconds =
    startedAt === null ? 0 : ((finishedAt === null ? now : Date.parse(finishedAt)) - Date.parse(startedAt)) / 1000;
  const rowsPerSecond = processed > 0 && seconds > 0 ? Math.round((processed / seconds) * 10) / 10 : null;
  if (!isUnfinished(job)) return { percent, rowsPerSecond, secondsLeft: 0 };
  const secondsLeft = rowsPerSecond === null ? null : Math.round(((total - processed) / rowsPerSecond) * 10) / 10;
  return { percent, rowsPerSecond, secondsLeft };
}

/** `now` (epoch ms) is when the answer is made: a running job's rate is measured up to it. */
export function importResource(job: ImportJob, now: number): HalResource {
  const { id, state, submittedBy, total, processed, created, rejected, failure, createdAt, startedAt, finishedAt } =
    job;
  const properties = {
    id,
    state,
    progress: { total, processed, created, rejected, ...pace(job, now) },
    submittedBy,
    createdAt,
    startedAt,
    finishedAt,
    ...(failure === null ? {} : { failure }),
  };
  return new HalResource(properties, { href: endpoints.import.href({ id }), title: `Import ${id}` })
    .link('collection', endpoints.imports.href())
    .link('tickets', { href: endpoints.tickets.href({ import: id }), title: 'The tickets this import created' })
    .link('rejections', {
      href: endpoints.importRejections.href({ id }),
      title: 'The rows it refused, one problem each',
    });
}

/**
 * The body is an array (or NDJSON) of tickets, not an object of fields, so the form has one text area whose
 * text is the whole body (`x-body`, an extension: HAL-FORMS builds an object from its properties). Its content
 * types say which texts it may be; the tickets relation's form describes each row. A client that knows nothing of
 * `x-body` sends the object `{"tickets": "<text>"}`, which is read as that text (form-body.ts).
 */
const importForm = () => {
  const form = formTemplate({
    title: 'Import tickets',
    method: 'POST',
    target: endpoints.imports.href(),
    contentType: JSON_TYPE,
  });
  form.properties = [
    {
      name: 'tickets',
      prompt: 'Tickets: a JSON array, or NDJSON (one ticket per line)',
      type: 'textarea',
      required: true,
      placeholder: '[{"title": "Printer jams", "requester": "ann@customers.example"}]',
      'x-body': [JSON_TYPE, NDJSON],
    },
  ];
  return form;
};

export function importCollection(request: PageLinksRequest, page: Page<ImportJob>, now: number): HalResource {
  const item = (job: ImportJob) => importResource(job, now);
  return collectionResource({ endpoint: endpoints.imports, rel: 'imports', filters: {}, request, page, item }).template(
    'default',
    importForm,
  );
}

export function rejectionResource(importId: number, problem: RowProblem): HalResource {
  return new HalResource(
    { ...problem },
    { href: endpoints.importRejection.href({ id: importId, row: problem.row }), title: `Row ${problem.row}` },
  )
    .addresses('type')
    .link('collection', endpoints.importRejections.href({ id: importId }))
    .link('up', endpoints.import.href({ id: importId }));
}

export function rejectionCollection(importId: number, request: PageLinksRequest, page: Page<Rejection>): HalResource {
  return collectionResource({
    endpoint: endpoints.importRejections,
    rel: 'rejections',
    filters: { id: importId },
    request,
    page,
    item: (rejection) => rejectionResource(importId, rejection.problem),
  }).link('up', endpoints.import.href({ id: importId }));
}
