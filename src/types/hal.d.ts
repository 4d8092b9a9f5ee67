// The part of the `hal` package (1.2.0) this project uses, through src/links/hal.ts only.
declare module 'hal' {
  interface LinkAttributes {
    href: string;
    [attribute: string]: unknown;
  }
  class Resource {
    constructor(properties: object, selfHref?: string);
    link(rel: string, value: string | LinkAttributes): this;
    embed(rel: string, resources: Resource[], pluralize: false): this;
    toJSON(): Record<string, unknown>;
  }
  const hal: { Resource: typeof Resource };
  export default hal;
}
