/**
 * A deliberately tiny mustache subset, enough for transactional mail:
 * - `{{name}}` inserts a variable; a missing one (undefined or null) is a programming error and throws,
 *   so no one ever receives "Hello {{first_name}}".
 * - `{{#name}}…{{/name}}` keeps its content only when the variable is present and not empty.
 * Values are inserted in one pass, so a value containing `{{…}}` is never expanded.
 */
export type Variables = Record<string, unknown>;
export type Escape = (value: string) => string;

const SECTION = /\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;
const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml: Escape = (value) => value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
/** A header must stay on one line. */
export const oneLine: Escape = (value) => value.replace(/\s*[\r\n]+\s*/g, ' ');
export const verbatim: Escape = (value) => value;

const filled = (value: unknown) => value !== undefined && value !== null && value !== '' && value !== false;

export function render(template: string, variables: Variables, escape: Escape): string {
  return template
    .replace(SECTION, (_whole, name: string, inner: string) => (filled(variables[name]) ? inner : ''))
    .replace(PLACEHOLDER, (_whole, name: string) => {
      const value = variables[name];
      if (value === undefined || value === null) throw new Error(`Mail template variable "${name}" is missing`);
      return escape(String(value));
    });
}
