// JSON.parse keeps the last of two equal names in an object, silently. A write whose body names a field twice
// is ambiguous, so it is refused; this finds the first such name in a text JSON.parse has already accepted.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The end (exclusive) of the string token starting at `start` (a quote). */
export function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

/**
 * The path of the first name given twice in one object (e.g. `items[1].quantity`), or undefined. `text` must be
 * valid JSON (it is scanned, not validated).
 */
export function duplicateKeyPath(text: string): string | undefined {
  // One frame per open object or array: its names so far, and where the scan is in it.
  const frames: { names?: Set<string>; path: string; index: number; key?: string }[] = [];
  let expectKey = false;
  const childPath = (): string => {
    const top = frames[frames.length - 1];
    if (!top) return '';
    if (top.names) return top.path === '' ? top.key! : `${top.path}.${top.key!}`;
    return `${top.path}[${top.index}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        const top = frames[frames.length - 1]!;
        const name = JSON.parse(text.slice(i, end)) as string;
        if (top.names!.has(name)) return top.path === '' ? name : `${top.path}.${name}`;
        top.names!.add(name);
        top.key = name;
        expectKey = false;
      }
      i = end - 1;
    } else if (c === '{') {
      frames.push({ names: new Set(), path: childPath(), index: 0 });
      expectKey = true;
    } else if (c === '[') {
      frames.push({ path: childPath(), index: 0 });
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames[frames.length - 1]!;
      if (top.names) expectKey = true;
      else top.index++;
    }
  }
  return undefined;
}
