// Money is stored in integer cents and shown as a decimal string ("99.99"), as the original demo did.

const DECIMAL = /^(\d{1,10})(?:\.(\d{1,2}))?$/;

/** Parses "99.99", "99.9", "99" (or the number 99.99) into cents; null when it is not such an amount. */
export function parseMoney(value: string | number): number | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + fraction;
}

export function formatMoney(cents: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = cents % 100;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}
