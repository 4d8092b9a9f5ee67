// HAL links and HAL-FORMS templates as they travel, described once for all who handle them: the server narrows
// these to what it promises to write (hal.ts, forms.ts), the explorer reads them as any HAL-FORMS client must
// (it is compiled for the browser from this very file, so it imports nothing), and the tests read them too.

/** A HAL link. `templated: true` says the href is an RFC 6570 template (see isTemplate). */
export interface HalLink {
  href: string;
  templated?: boolean;
  title?: string;
  name?: string;
  type?: string;
  profile?: string;
  deprecation?: string;
  hreflang?: string;
}

/** A link is a template exactly when its href holds an RFC 6570 expression: the one rule of `templated`. */
export function isTemplate(href: string): boolean {
  return href.includes('{');
}

/** One of a property's fixed choices; HAL-FORMS also lets a choice be a bare string, its own prompt. */
export interface InlineOption {
  prompt?: string;
  value: string;
}

export interface FormOptions {
  inline?: (string | InlineOption)[];
  link?: HalLink;
  promptField?: string;
  valueField?: string;
  minItems?: number;
  maxItems?: number;
  selectedValues?: string[];
}

export interface FormProperty {
  name: string;
  prompt?: string;
  type?: string;
  required?: boolean;
  readOnly?: boolean;
  regex?: string;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  value?: string;
  options?: FormOptions;
  /**
   * An extension: this field's text is the whole request body, sent as one of these media types (the first
   * unless the text is plainly another), for bodies that are not an object of fields (an import's rows).
   */
  'x-body'?: string[];
}

export interface FormTemplate {
  title?: string;
  method?: string;
  contentType?: string;
  target?: string;
  properties?: FormProperty[];
}
