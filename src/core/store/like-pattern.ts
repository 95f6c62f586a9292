/**
 * A LIKE/ILIKE pattern matching `text` anywhere, with its own `%`, `_` and `\` matched literally; use it
 * with `ESCAPE '\'` so PGlite and PostgreSQL read it the same way whatever their settings.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
