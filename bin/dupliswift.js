#!/usr/bin/env node
// The npm bin: everything lives in one esbuild bundle so start-up reads one file.
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code between runs; Node 20 has no such switch and simply skips it.
module.enableCompileCache?.();

import('../dist/dupliswift.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/dupliswift.js')) {
    process.stderr.write('dupliswift is not built yet. Run: npm run build\n');
    process.exit(1);
  }
  throw error;
});
