// RFC 6570 templates in links, through the same uri-templates package the server builds its links with.
import parseTemplate from 'uri-templates';

export function variablesOf(template: string): string[] {
  return [...new Set(parseTemplate(template).varNames)];
}

/** The template filled in; variables left empty are dropped (`/tickets{?page,size}` with size 5 is `/tickets?size=5`). */
export function expand(template: string, values: Record<string, string>): string {
  const filled: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value.trim() !== '') filled[name] = value.trim();
  return parseTemplate(template).fill(filled);
}
