import { describe, expect, it } from 'vitest';

import { createLogger, createMetrics, serveMetrics, workerObserver } from './index.js';

describe('serveMetrics', () => {
  it('serves the registered metrics as Prometheus text, and /healthz', async () => {
    const metrics = createMetrics('test-app');
    workerObserver(metrics).completed('parse', 'page.fetched', 120);
    workerObserver(metrics).failed('parse', 'page.fetched', 30, new Error('bad page'));
    metrics.pagesFetched.inc({ result: 'new' });
    const server = await serveMetrics(metrics.registry, await listenablePort(), { host: '127.0.0.1' });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      for (const name of [
        'paperwire_jobs_total',
        'paperwire_job_duration_seconds',
        'paperwire_queue_depth',
        'paperwire_papers_indexed_total',
        'paperwire_search_latency_seconds',
        'paperwire_pages_fetched_total',
        'process_cpu_user_seconds_total',
      ]) {
        expect(text).toContain(`# TYPE ${name}`);
      }
      expect(text).toContain(
        'paperwire_jobs_total{queue="parse",name="page.fetched",status="completed",app="test-app"} 1',
      );
      expect(text).toContain(
        'paperwire_jobs_total{queue="parse",name="page.fetched",status="failed",app="test-app"} 1',
      );
      expect(text).toContain('paperwire_pages_fetched_total{result="new",app="test-app"} 1');

      const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(await health.text()).toBe('ok');
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('warns, naming the port, and runs without metrics when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const lines: string[] = [];
    const logger = createLogger('busy', 'info', { write: (line: string) => void lines.push(line) });
    try {
      const server = await serveMetrics(createMetrics('busy').registry, port, { host: '127.0.0.1', logger });
      expect(server.port).toBe(0);
      await server.close();
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      expect(line).toMatchObject({ level: 'warn', metricsPort: port, code: 'EADDRINUSE' });
      expect(line.msg).toBe(
        `metrics port ${port} is already in use (EADDRINUSE): running without metrics; set METRICS_PORT to a free port, or 0 to turn metrics off`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('does not listen when the port is 0', async () => {
    const server = await serveMetrics(createMetrics('off').registry, 0);
    expect(server.port).toBe(0);
    await server.close();
  });

  it('keeps two apps in one process apart', async () => {
    const a = createMetrics('a');
    const b = createMetrics('b');
    a.papersIndexed.inc({ result: 'created' });
    expect(await a.registry.getSingleMetricAsString('paperwire_papers_indexed_total')).toContain(
      'paperwire_papers_indexed_total{result="created",app="a"} 1',
    );
    expect(await b.registry.getSingleMetricAsString('paperwire_papers_indexed_total')).not.toContain(
      'result="created"',
    );
  });
});

describe('createLogger', () => {
  it('writes JSON lines with the app, a level label and an ISO time', () => {
    const lines: string[] = [];
    const sink = { write: (line: string) => void lines.push(line) };
    const logger = createLogger('probe', 'debug', sink);
    logger.debug({ jobId: 'j1' }, 'done');
    logger.trace('below the level');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ app: 'probe', level: 'debug', jobId: 'j1', msg: 'done' });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

async function listenablePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
