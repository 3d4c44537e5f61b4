import { createRequire } from 'node:module';

/** Set by the build: the CommonJS libraries then live beside the bundle, in dist/vendor/NAME.cjs. */
declare const DUPLISWIFT_BUNDLED: boolean | undefined;

const req = createRequire(import.meta.url);

/**
 * A CommonJS library loaded synchronously on first use, off the start-up path: from the bundle's own
 * dist/vendor/ once built (an install carries no npm package but the keyring's), from node_modules
 * when the tests run the source.
 */
export function requireVendor<T>(name: 'ajv' | 'cron-parser'): T {
  return req(typeof DUPLISWIFT_BUNDLED === 'boolean' ? `./vendor/${name}.cjs` : name) as T;
}
