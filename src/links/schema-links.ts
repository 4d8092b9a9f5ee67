// Links to the JSON Schemas that describe resources (the same schemas that validate request bodies).
import { SCHEMA_JSON } from '../http/media-types.ts';
import type { Link } from './hal.ts';
import { endpoints } from './registry.ts';

export function describedBy(name: string): Link {
  return { href: endpoints.schema.href({ name }), type: SCHEMA_JSON, title: `JSON Schema of ${name}` };
}
