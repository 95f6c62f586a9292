import { describe, expect, it } from 'vitest';
import { runInSandbox } from '../../src/plugins/compute/code-sandbox.ts';

const limits = { cpuMs: 1_000, memoryBytes: 64 * 1024 * 1024 };
const failure = async (code: string, within = limits) => {
  try {
    await runInSandbox(code, { input: null, artefacts: {} }, within);
  } catch (error) {
    const { code: errorCode, message } = error as { code: string; message: string };
    return { code: errorCode, message };
  }
  throw new Error('expected the code to be stopped');
};

describe('the code sandbox', () => {
  it('computes over its input and returns the last expression, with what it logged', async () => {
    const result = await runInSandbox(
      'const total = input.orders.reduce((s, o) => s + o.total, 0); console.log("n", input.orders.length); ({ total, mean: total / input.orders.length })',
      { input: { orders: [{ total: 10 }, { total: 30 }] }, artefacts: {} },
      limits,
    );
    expect(result.value).toEqual({ total: 40, mean: 20 });
    expect(result.logs).toEqual(['n 2']);
    expect(result.charts).toEqual([]);
  });

  it('stops code that loops forever at its CPU limit, without blocking the main thread', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    const stopped = await failure('let i = 0; while (true) { i++; }');
    clearInterval(timer);
    expect(stopped).toEqual({
      code: 'code.timeout',
      message: 'The code ran past its 1000 ms CPU limit and was stopped',
    });
    expect(Date.now() - started).toBeLessThan(6_000);
    // The loop ran on the worker: the main thread kept its timers going the whole time.
    expect(ticks).toBeGreaterThan(40);
  });

  it('stops code that allocates 2 GB at its memory limit', async () => {
    // Growing the sandbox's heap to 64 MiB takes a second or two: give the CPU limit room to let memory stop it.
    const roomy = { ...limits, cpuMs: 15_000 };
    expect(
      await failure(
        'const chunks = []; for (let i = 0; i < 2048; i++) chunks.push(new Uint8Array(1024 * 1024)); chunks.length',
        roomy,
      ),
    ).toEqual({
      code: 'code.memory_limit',
      message: 'The code passed its 64 MiB memory limit and was stopped',
    });
    expect(
      (
        await failure(
          'const rows = []; while (true) rows.push({ n: rows.length, s: "r" + rows.length });',
          roomy,
        )
      ).code,
    ).toBe('code.memory_limit');
    expect(await failure('new ArrayBuffer(2 * 1024 ** 3)', roomy)).toEqual({
      code: 'code.failed',
      message: 'RangeError: invalid array buffer length (line 1)',
    });
  }, 60_000);

  it('has no network, no modules and no host: a socket cannot be opened', async () => {
    expect(await failure("fetch('http://127.0.0.1:5432/')")).toEqual({
      code: 'code.failed',
      message: 'Error: run_code has no network: fetch is not available (line 1)',
    });
    expect((await failure('new WebSocket("ws://127.0.0.1:1")')).message).toBe(
      'Error: run_code has no network: WebSocket is not available (line 1)',
    );
    expect((await failure("require('node:net').connect(5432)")).message).toBe(
      'Error: run_code has no modules: require is not available (line 1)',
    );
    expect((await failure('process.exit(1)')).message).toMatch(/'process' is not defined/);
    const dynamicImport = await runInSandbox(
      "import('node:net').then(() => console.log('loaded'), (e) => console.log('refused:', e.message)); 1",
      { input: null, artefacts: {} },
      limits,
    );
    expect(dynamicImport.logs).toHaveLength(1);
    expect(dynamicImport.logs[0]).toMatch(/^refused: /);
  });

  it('reports an exception with its line', async () => {
    expect(await failure('const a = 1;\nconst b = 2;\nthrow new TypeError("bad row " + (a + b));')).toEqual({
      code: 'code.failed',
      message: 'TypeError: bad row 3 (line 3)',
    });
  });

  it('draws bar and line charts as SVG, and keeps an SVG the code drew', async () => {
    const result = await runInSandbox(
      `chart.bar('Spend by city', { title: 'Spend <by> city', labels: ['Lisbon', 'Porto'], values: [160.5, 99.9] });
       chart.line('Trend', { labels: ['a', 'b', 'c'], values: [1, 3, 2] });
       chart.svg('Mine', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
       'drawn'`,
      { input: null, artefacts: {} },
      limits,
    );
    expect(result.value).toBe('drawn');
    expect(result.charts.map((c) => c.name)).toEqual(['Spend by city', 'Trend', 'Mine']);
    expect(result.charts[0]?.svg).toMatch(/^<svg /);
    expect(result.charts[0]?.svg).toContain('Spend &lt;by&gt; city');
    expect(result.charts[0]?.svg.match(/<rect /g)).toHaveLength(3);
    expect(result.charts[1]?.svg).toContain('<polyline');
    expect((await failure("chart.svg('x', '<script>alert(1)</script>')")).message).toMatch(
      /SVG text starting with <svg/,
    );
    expect((await failure("chart.bar('x', { values: ['a'] })")).message).toMatch(/finite numbers/);
  });
});
