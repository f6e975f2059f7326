import { JsonNumber } from '../JsonNumber.js';
import { stringEnd } from './jsonKeys.js';

const isNumberStart = (c: number) => c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39);
const isNumberPart = (c: number) => isNumberStart(c) || c === 0x2b /* + */ || c === 0x2e /* . */ || c === 0x65 || c === 0x45; /* e E */

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  key: string | number;
}

/**
 * `value` (what JSON.parse made of `text`) with every number inside an object or an array replaced by a
 * JsonNumber holding its text as written. `text` must be valid JSON without a name given twice in one object
 * (duplicateKeyPath): it is scanned alongside the parsed value, not validated. A number at the top is left as it
 * is (a body must be an object). One pass over the text; memory grows with the depth only.
 */
export function withNumberTexts(value: unknown, text: string): unknown {
  const frames: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (expectKey) {
        top!.key = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      i = end - 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const container = (top ? (top.container as Record<string | number, unknown>)[top.key] : value) as Frame['container'];
      frames.push({ container, key: 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      if (Array.isArray(top!.container)) (top!.key as number)++;
      else expectKey = true;
    } else if (isNumberStart(c)) {
      let end = i + 1;
      while (end < text.length && isNumberPart(text.charCodeAt(end))) end++;
      // defineProperty: a name such as __proto__ is an own field here (JSON.parse made it one), never a setter.
      if (top) Object.defineProperty(top.container, top.key, { value: new JsonNumber(text.slice(i, end)), writable: true, enumerable: true, configurable: true });
      i = end - 1;
    }
  }
  return value;
}
