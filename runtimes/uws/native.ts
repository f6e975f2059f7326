import { createRequire } from 'node:module';
import type * as uws from '@trufflesuite/uws-js-unofficial';

const require = createRequire(import.meta.url);

export type Uws = typeof uws;

/**
 * Loads uWebSockets.js (the @trufflesuite/uws-js-unofficial build) and makes sure its native binary is what
 * loaded. That build falls back silently to a pure-JS server when the binary does not load; a benchmark must
 * never measure that by accident, so this throws instead.
 */
export function loadNativeUws(): Uws {
  if (process.env.UWS_USE_FALLBACK) {
    throw new Error('UWS_USE_FALLBACK is set: the uws runtime runs only on the native uWebSockets.js binary; unset it');
  }
  const module = require('@trufflesuite/uws-js-unofficial') as Uws;
  const binary = Object.keys(require.cache).find((path) => /uws_[a-z0-9]+_[a-z0-9]+_\d+\.node$/.test(path));
  if (!binary) {
    throw new Error(
      `uWebSockets.js native binary did not load for ${process.platform}-${process.arch} (Node ABI ${process.versions.modules}); ` +
        'the package fell back to its JS implementation, which this runtime refuses to measure. Use Node 20 on Linux x64 (glibc).',
    );
  }
  return module;
}
