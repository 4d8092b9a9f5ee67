// The media types the API speaks, named once: first its data's, then the rest (the explorer, metrics).
export const HAL_JSON = 'application/hal+json';
export const HAL_FORMS = 'application/prs.hal-forms+json';
export const JSON_TYPE = 'application/json';
export const PROBLEM_JSON = 'application/problem+json';
export const MERGE_PATCH_JSON = 'application/merge-patch+json';
/** Newline-delimited JSON: one value a line (a bulk import's rows). */
export const NDJSON = 'application/x-ndjson';
export const SCHEMA_JSON = 'application/schema+json';
/** An OpenAPI document (the media type registered for OpenAPI in JSON). */
export const OPENAPI_JSON = 'application/openapi+json';
/** Health checks (draft-inadarei-api-health-check), for load balancers and orchestrators. */
export const HEALTH_JSON = 'application/health+json';

/**
 * What a HAL resource may be sent as. The order matters: it is the server's preference when the client's
 * Accept ties or says `*\/*`, so curl gets plain HAL and only clients that ask for HAL-FORMS get `_templates`.
 */
export const HAL_REPRESENTATIONS = [HAL_JSON, HAL_FORMS, JSON_TYPE] as const;

/** Request bodies read as JSON (koa-body knows only plain JSON unless told). */
export const JSON_BODY_TYPES = [JSON_TYPE, HAL_JSON, MERGE_PATCH_JSON, 'application/*+json'];

// What is not the API's own data: the explorer's page and assets, and Prometheus' text format.
export const HTML = 'text/html';
export const PROMETHEUS_TEXT = 'text/plain';
export const JAVASCRIPT = 'text/javascript';
export const CSS = 'text/css';
