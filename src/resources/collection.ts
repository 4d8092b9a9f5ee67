// A resource's collection as tickets and FAQs serve it: a page of items, the schema that describes them, and for
// a caller who may add one, the form that does (HAL-FORMS' `default` template, POSTed to the collection).
import type { TSchema } from '@sinclair/typebox';
import { formTemplate } from '../links/forms.ts';
import type { HalResource } from '../links/hal.ts';
import { collectionResource } from '../links/pagination.ts';
import { describedBy } from '../links/schema-links.ts';

type Listing<T extends { id: number }> = Parameters<typeof collectionResource<T>>[0];

/** The form that adds an item: its title and the schema of its body. */
export interface AddForm {
  title: string;
  schema: TSchema;
}

/** `schemaName` names the items' schema; `add` is undefined for a caller who may not add an item. */
export function describedCollection<T extends { id: number }>(
  listing: Listing<T>,
  schemaName: string,
  add: AddForm | undefined,
): HalResource {
  const collection = collectionResource(listing).link('describedby', describedBy(schemaName));
  if (add)
    collection.template('default', () =>
      formTemplate({ title: add.title, method: 'POST', schema: add.schema, target: listing.endpoint.href() }),
    );
  return collection;
}
