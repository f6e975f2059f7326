// How much of a request an error answer may repeat. An answer names what was wrong (field names, a path, a
// header's value), and those come from the client: unbounded, 5,000 unknown fields made a 288 KB answer out of
// a 45 KB body. Every answer is cut to these bounds, whatever the error.

/** Field errors an answer lists; the number left out is given as `more`. */
export const MAX_FIELD_ERRORS = 20;
/** UTF-16 units of a client's text an answer quotes (a field name, a path, a header's value); longer ends in "…". */
export const MAX_QUOTED_LENGTH = 100;
/** UTF-16 units of a message (an error's, or a field's), whatever it quotes. */
export const MAX_MESSAGE_LENGTH = 400;

interface NamedProblem {
  readonly field: string;
  readonly message: string;
}

/** `text` cut to `max` UTF-16 units and "…" when it is longer; a surrogate pair is never split. */
export function clip(text: string, max = MAX_QUOTED_LENGTH): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/** A client's text as a message quotes it: JSON-quoted, clipped. */
export function quote(text: string): string {
  return JSON.stringify(clip(text));
}

/** The first MAX_FIELD_ERRORS field errors, each clipped, and how many were left out. */
export function boundFields<F extends NamedProblem>(fields: readonly F[]): { fields: NamedProblem[]; more: number } {
  const shown = fields.slice(0, MAX_FIELD_ERRORS).map((f) => ({ field: clip(f.field), message: clip(f.message, MAX_MESSAGE_LENGTH) }));
  return { fields: shown, more: fields.length - shown.length };
}

/** Names as a message lists them: the first MAX_FIELD_ERRORS distinct ones, clipped, then how many others. */
export function listNames(names: readonly string[]): string {
  const distinct = [...new Set(names)];
  const shown = distinct.slice(0, MAX_FIELD_ERRORS).map((name) => clip(name));
  const others = distinct.length - shown.length;
  return others > 0 ? `${shown.join(', ')} and ${others} more` : shown.join(', ');
}
