/**
 * The template engine: `{{change.title}}` placeholders filled from a plain data object, and
 * nothing else — no expressions, no helpers, no code. A placeholder is a dotted path of
 * identifiers looked up as own properties only (never `__proto__` or a prototype's), so a
 * template edited through the API can read the change's data and cannot do anything with it.
 * For e-mail HTML every value is HTML-escaped; lists are joined with ", ".
 */

export type TemplateValue = string | number | boolean | null | undefined | readonly string[];
export interface TemplateData {
  readonly [key: string]: TemplateValue | TemplateData;
}

const placeholder = /\{\{\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*\}\}/g;
const anyBraces = /\{\{|\}\}/;

/** The placeholders a template names, in order of appearance (repeats kept once). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(placeholder)].map((m) => m[1] ?? ''))];
}

/**
 * What is wrong with a template, given the names it may use: an unknown name, or braces that
 * are not a placeholder (`{{ 1 + 1 }}`, `{{#each}}`). Empty: it is fine.
 */
export function templateProblems(template: string, known: readonly string[]): string[] {
  const problems = placeholdersOf(template)
    .filter((name) => !known.includes(name))
    .map((name) => `{{${name}}} is not a known value (known: ${known.join(', ')})`);
  if (anyBraces.test(template.replace(placeholder, '')))
    problems.push('"{{" and "}}" may only enclose a value name such as {{change.title}}');
  return problems;
}

function lookup(data: TemplateData, path: string): TemplateValue | TemplateData {
  let value: TemplateValue | TemplateData = data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as TemplateData)[key];
  }
  return value;
}

function text(value: TemplateValue | TemplateData): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return '';
  return String(value);
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Fill a template; `html` escapes every value (the template's own text is the admin's). */
export function renderTemplate(
  template: string,
  data: TemplateData,
  options: { readonly html?: boolean } = {},
): string {
  return template.replace(placeholder, (_, path: string) => {
    const value = text(lookup(data, path));
    return options.html === true ? escapeHtml(value) : value;
  });
}

/** Plain text as a small HTML document: everything escaped, paragraphs and lines kept. */
export function plainToHtml(text: string): string {
  const paragraphs = escapeHtml(text)
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
  return `<!doctype html>\n<html><body>\n${paragraphs}\n</body></html>\n`;
}

/**
 * A plain-text body template as HTML: filled first, then escaped whole, so no value (and no
 * template text) can add markup.
 */
export function renderHtml(body: string, data: TemplateData): string {
  return plainToHtml(renderTemplate(body, data));
}
