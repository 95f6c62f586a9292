// One run_code call in a worker thread: QuickJS compiled to WebAssembly, with no network, no modules and no
// host filesystem — its only inputs are the JSON it is given. Plain JavaScript (not TypeScript) because a
// worker does not inherit the loader the main thread registered.
import { parentPort, workerData } from 'node:worker_threads';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';

const { code, prelude, globals, limits } = workerData;

function fail(kind, message) {
  parentPort.postMessage({ ok: false, kind, message });
}

const module = await newQuickJSWASMModuleFromVariant(variant);
const runtime = module.newRuntime();
runtime.setMemoryLimit(limits.memoryBytes);
runtime.setMaxStackSize(limits.stackBytes);
const started = Date.now();
let interrupted = false;
runtime.setInterruptHandler(() => {
  if (Date.now() - started > limits.cpuMs) interrupted = true;
  return interrupted;
});
const context = runtime.newContext();

/** Evaluates and returns the dumped value, or posts the failure and returns undefined. */
function evaluate(source, filename) {
  const result = context.evalCode(source, filename);
  if (result.error) {
    const error = context.dump(result.error);
    result.error.dispose();
    if (interrupted) fail('timeout', `The code ran past its ${limits.cpuMs} ms CPU limit and was stopped`);
    else if (error?.name === 'InternalError' && /out of memory/.test(error.message ?? ''))
      fail(
        'memory',
        `The code passed its ${Math.round(limits.memoryBytes / 1048576)} MiB memory limit and was stopped`,
      );
    else if (error?.name === 'RangeError' && /stack/i.test(error.message ?? ''))
      fail('memory', 'The code overflowed its stack and was stopped');
    else {
      const where = /code\.js:(\d+)/.exec(error?.stack ?? '')?.[1];
      const text =
        typeof error === 'object' && error !== null
          ? `${error.name ?? 'Error'}: ${error.message}`
          : String(error);
      fail('error', where === undefined ? text : `${text} (line ${where})`);
    }
    return { failed: true };
  }
  const value = context.dump(result.value);
  result.value.dispose();
  return { failed: false, value };
}

try {
  const json = context.newString(JSON.stringify(globals));
  context.setProp(context.global, '__globals', json);
  json.dispose();
  if (!evaluate(prelude, 'prelude.js').failed) {
    const ran = evaluate(code, 'code.js');
    // Promise callbacks the code queued (async functions, .then) run before the result is collected.
    let pending = ran.failed ? undefined : runtime.executePendingJobs();
    while (pending !== undefined && !pending.error && pending.value > 0)
      pending = runtime.executePendingJobs();
    if (pending?.error) {
      pending.error.dispose();
      if (interrupted) {
        fail('timeout', `The code ran past its ${limits.cpuMs} ms CPU limit and was stopped`);
        ran.failed = true;
      }
    }
    if (!ran.failed) {
      const out = evaluate('JSON.stringify(__collect())', 'collect.js');
      if (!out.failed) {
        let value = ran.value;
        // A value JSON cannot carry (a function, undefined) is left out rather than failing the call.
        if (typeof value === 'function' || typeof value === 'symbol') value = undefined;
        parentPort.postMessage({
          ok: true,
          value: value ?? null,
          ...JSON.parse(out.value),
          cpuMs: Date.now() - started,
        });
      }
    }
  }
} catch (error) {
  fail('error', error instanceof Error ? error.message : String(error));
} finally {
  context.dispose();
  runtime.dispose();
}
