/**
 * Re-runs `check` until it stops throwing (an `expect` that passes) and returns its value; after
 * `timeoutMs` it throws the last failure. The one way tests wait for something that happens
 * asynchronously in real parts (a store write, an HTTP request arriving) instead of sleeping.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise<void>((next) => setTimeout(next, intervalMs));
  }
}
