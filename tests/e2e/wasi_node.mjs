// wasi_node.mjs — run a WASI command module under node:wasi, as the
// reference runtime for tests/e2e/wasi.sh. It takes the --dir and --env
// flags of `welf run`:
//
//   node tests/e2e/wasi_node.mjs [--dir HOST::GUEST]... [--env K=V]...
//        -- FILE.wasm [ARGS...]
//
// The guest sees FILE.wasm as argv[0], ARGS after it, only the --env
// variables, and this process's stdin, stdout and stderr. The exit code
// is the one the program passed to proc_exit (0 when _start returns).
// A trap prints "wasi_node: trap: MESSAGE" to stderr and exits with 134.

import { readFile } from 'node:fs/promises';
import process from 'node:process';

function usage(message) {
  process.stderr.write(`wasi_node: ${message}\n` +
    'usage: node wasi_node.mjs [--dir HOST::GUEST]... [--env K=V]... ' +
    '-- FILE.wasm [ARGS...]\n');
  process.exit(2);
}

const preopens = {};
const env = {};
const argv = process.argv.slice(2);
let i = 0;
for (; i < argv.length; i++) {
  const flag = argv[i];
  if (flag === '--')
    break;
  const value = argv[++i];
  if (value === undefined)
    usage(`${flag} needs a value`);
  if (flag === '--dir') {
    const sep = value.indexOf('::');
    if (sep < 0)
      usage(`--dir ${value}: expected HOST::GUEST`);
    preopens[value.slice(sep + 2)] = value.slice(0, sep);
  } else if (flag === '--env') {
    const eq = value.indexOf('=');
    if (eq < 0)
      usage(`--env ${value}: expected K=V`);
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else {
    usage(`unknown flag ${flag}`);
  }
}
const file = argv[i + 1];
if (file === undefined)
  usage('no FILE.wasm after --');
const args = [file, ...argv.slice(i + 2)];

// node:wasi prints an ExperimentalWarning when it is first loaded; the
// harness compares stderr, so load it only after silencing warnings.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');

const wasi = new WASI({
  version: 'preview1',
  args,
  env,
  preopens,
  returnOnExit: true,
  stdin: 0,
  stdout: 1,
  stderr: 2,
});

let code;
try {
  const module = await WebAssembly.compile(await readFile(file));
  const instance = await WebAssembly.instantiate(module,
    wasi.getImportObject());
  code = wasi.start(instance);
} catch (e) {
  process.stderr.write(`wasi_node: trap: ${e && e.message}\n`);
  code = 134;
}
process.exitCode = code;
