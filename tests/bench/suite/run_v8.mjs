// run_v8.mjs — runs one benchmark program under V8 through node:wasi:
//
//   node [V8 FLAGS] tests/bench/suite/run_v8.mjs FILE.wasm [ARGS...]
//
// The program sees FILE.wasm as argv[0], ARGS after it, an empty
// environment and no directories, as under welf and the wasm2c shim. The
// exit code is the program's; a trap prints its message and exits 134.

import { readFile } from 'node:fs/promises';
import process from 'node:process';

// Silence node:wasi's ExperimentalWarning before loading it.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');

const [file, ...rest] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node run_v8.mjs FILE.wasm [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...rest],
  env: {},
  returnOnExit: true,
});
try {
  const module = await WebAssembly.compile(await readFile(file));
  // getImportObject is missing before node 18.17 and 19.8.
  const imports = wasi.getImportObject ? wasi.getImportObject()
    : { wasi_snapshot_preview1: wasi.wasiImport };
  const instance = await WebAssembly.instantiate(module, imports);
  process.exitCode = wasi.start(instance);
} catch (e) {
  process.stderr.write(`run_v8: trap: ${e && e.message}\n`);
  process.exitCode = 134;
}
