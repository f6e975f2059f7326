import { pack, unpack } from 'msgpackr';
import type { ProjectionEncoding } from '../config.js';

/** How a projection is stored as a Redis hash value, and read back. */
export interface ProjectionCodec {
  readonly encoding: ProjectionEncoding;
  encode(projection: object): Buffer | string;
  /** Throws when the value is not a projection in this encoding. */
  decode<T>(blob: Buffer): T;
}

/** Compact binary values, decoded straight into plain objects (the default). */
export const msgpackCodec: ProjectionCodec = Object.freeze({
  encoding: 'msgpack',
  encode: (projection: object): Buffer => pack(projection),
  decode: <T>(blob: Buffer): T => unpack(blob) as T,
});

/**
 * The JSON text of the projection, exactly what JSON.stringify gives for it: the text path of the routes sends
 * it as it is stored.
 */
export const jsonCodec: ProjectionCodec = Object.freeze({
  encoding: 'json',
  encode: (projection: object): string => JSON.stringify(projection),
  decode: <T>(blob: Buffer): T => JSON.parse(blob.toString('utf8')) as T,
});

export function projectionCodec(encoding: ProjectionEncoding): ProjectionCodec {
  return encoding === 'json' ? jsonCodec : msgpackCodec;
}
