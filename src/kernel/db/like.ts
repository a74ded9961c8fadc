/** `text` as a literal inside a LIKE/ILIKE pattern: `%`, `_` and `\` match themselves (default escape `\`). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
