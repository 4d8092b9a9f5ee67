// The part of uri-templates (0.2.0) this project uses; @types/uri-templates lacks `test()` and the fromUri options.
declare module 'uri-templates' {
  type Value = string | number | readonly (string | number)[] | Record<string, string> | undefined;
  export interface UriTemplate {
    readonly varNames: string[];
    readonly template: string;
    fill(values: Record<string, Value> | ((name: string) => Value)): string;
    fromUri(uri: string, options?: { strict?: boolean }): Record<string, string> | undefined;
    test(uri: string, options?: { strict?: boolean }): boolean;
  }
  function parse(template: string): UriTemplate;
  export default parse;
}
