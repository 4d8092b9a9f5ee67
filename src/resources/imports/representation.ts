// Bulk imports as HAL: pure functions from stored jobs and rejected rows to documents. Every href comes from the
// registry; the created tickets are the tickets collection filtered by the import.
import type { ImportJob, RowProblem } from '../../domain/imports.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import type { Page } from '../../store/pagination.ts';
import type { Rejection } from '../../store/imports.ts';

export function importResource(job: ImportJob): HalResource {
  const { id, state, submittedBy, total, processed, created, rejected, failure, createdAt, startedAt, finishedAt } = job;
  const properties = {
    id,
    state,
    progress: { total, processed, created, rejected },
    submittedBy,
    createdAt,
    startedAt,
    finishedAt,
    ...(failure === null ? {} : { failure }),
  };
  return new HalResource(properties, { href: endpoints.import.href({ id }), title: `Import ${id}` })
    .link('collection', endpoints.imports.href())
    .link('tickets', { href: endpoints.tickets.href({ import: id }), title: 'The tickets this import created' })
    .link('rejections', { href: endpoints.importRejections.href({ id }), title: 'The rows it refused, one problem each' });
}

export function importCollection(request: PageLinksRequest, page: Page<ImportJob>): HalResource {
  return collectionResource({ endpoint: endpoints.imports, rel: 'imports', filters: {}, request, page, item: importResource }).template('default', () =>
    // The body is an array (or NDJSON) of tickets, which no HAL-FORMS field can describe: the form says where
    // and how to send it, and the tickets relation's form describes each row.
    formTemplate({ title: 'Import tickets', method: 'POST', target: endpoints.imports.href(), contentType: 'application/json' }),
  );
}

export function rejectionResource(importId: number, problem: RowProblem): HalResource {
  return new HalResource({ ...problem }, { href: endpoints.importRejection.href({ id: importId, row: problem.row }), title: `Row ${problem.row}` })
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
