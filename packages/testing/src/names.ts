import { randomBytes } from 'node:crypto';

let counter = 0;

/** `label` reduced to `[A-Za-z0-9_-]`, at most 40 characters. */
export function safeLabel(label: string): string {
  const cleaned = label
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return cleaned === '' ? 'test' : cleaned;
}

/**
 * A key prefix no other call returns, across processes too (pid + counter + random), over
 * `[A-Za-z0-9_-]` so it is valid as a BullMQ prefix and inside job ids.
 */
export function uniquePrefix(label: string): string {
  counter += 1;
  return `${safeLabel(label)}-${process.pid}-${counter}-${randomBytes(4).toString('hex')}`;
}
