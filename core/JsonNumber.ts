// A number of a JSON body as it was written. JSON.parse gives a double: 1.999999999999999999 becomes 2 and
// 1.0000000000000001 becomes 1, so a field checked on the parsed value would take a rounded number where the same
// digits in a string are refused. The body reader (core/http/jsonNumbers.ts) keeps each number's text, and the
// number fields (core/validation.ts) read that text by the rule they apply to a string.

export class JsonNumber {
  /** `text`: the number's characters in the body, e.g. `1.50`, `1e2`, `-0`. */
  constructor(readonly text: string) {}
}
