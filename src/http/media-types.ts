// The media types the API speaks, named once.
export const HAL_JSON = 'application/hal+json';
export const JSON_TYPE = 'application/json';
export const PROBLEM_JSON = 'application/problem+json';
export const MERGE_PATCH_JSON = 'application/merge-patch+json';

/** What a response body may be sent as, best first: a client that names neither gets 406. */
export const REPRESENTATIONS = [HAL_JSON, JSON_TYPE] as const;
export type Representation = (typeof REPRESENTATIONS)[number];

/** Request bodies read as JSON (koa-body knows only plain JSON unless told). */
export const JSON_BODY_TYPES = [JSON_TYPE, HAL_JSON, MERGE_PATCH_JSON, 'application/*+json'];
