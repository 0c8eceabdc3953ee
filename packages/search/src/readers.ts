import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The calls a search reader answers: the reads that can take long. */
export type ReaderMethod = 'search' | 'searchJson' | 'similar' | 'facets' | 'days' | 'listed';

export interface ReaderRequest {
  id: number;
  method: ReaderMethod;
  args: unknown[];
}

export type ReaderReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** What a reader thread is started with (`workerData`). */
export interface ReaderData {
  path: string;
  candidates: number | undefined;
}

/**
 * Every search reader is busy and the queue of waiting searches is full: the caller should try
 * again shortly (the gateway answers 503 with `Retry-After`).
 */
export class SearchBusyError extends Error {
  override readonly name = 'SearchBusyError';
  readonly retryAfterSeconds = 1;

  constructor(queued: number) {
    super(`search is busy: ${queued} searches are already waiting; try again in a second`);
  }
}

export interface ReaderPoolOptions {
  /** Reader threads, each with its own read-only connection. */
  size: number;
  /** Searches that may wait for a free reader; past it a search fails with `SearchBusyError`. */
  queueLimit: number;
  data: ReaderData;
  /** Called whenever the number of waiting searches changes. */
  onQueueDepth?: (depth: number) => void;
}

interface Job {
  request: ReaderRequest;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Reader {
  worker: Worker;
  job: Job | undefined;
}

/**
 * Worker threads that run searches off the event loop, each on its own read-only SQLite
 * connection (WAL lets them read beside the writers). Searches wait in a bounded FIFO queue for
 * the first free reader; a reader that dies fails its search and is replaced.
 */
export class ReaderPool {
  readonly #options: ReaderPoolOptions;
  readonly #readers: Reader[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ReaderPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new RangeError(`a reader pool needs at least one thread, got ${options.size}`);
    this.#options = options;
    for (let i = 0; i < options.size; i += 1) this.#readers.push(this.#spawn());
  }

  run(method: ReaderMethod, args: unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the search reader pool is closed'));
    return new Promise((resolve, reject) => {
      const job: Job = { request: { id: this.#nextId++, method, args }, resolve, reject };
      const idle = this.#readers.find((r) => r.job === undefined);
      if (idle) {
        this.#dispatch(idle, job);
        return;
      }
      if (this.#queue.length >= this.#options.queueLimit) {
        reject(new SearchBusyError(this.#queue.length));
        return;
      }
      this.#queue.push(job);
      this.#options.onQueueDepth?.(this.#queue.length);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new Error('the search reader pool is closed');
    for (const job of this.#queue.splice(0)) job.reject(stopped);
    this.#options.onQueueDepth?.(0);
    await Promise.all(this.#readers.map((r) => r.worker.terminate()));
  }

  #dispatch(reader: Reader, job: Job): void {
    reader.job = job;
    // A busy reader keeps the process alive until its answer; an idle one does not.
    reader.worker.ref();
    reader.worker.postMessage(job.request);
  }

  #settle(reader: Reader): void {
    reader.job = undefined;
    const next = this.#queue.shift();
    if (next) {
      this.#options.onQueueDepth?.(this.#queue.length);
      this.#dispatch(reader, next);
    } else reader.worker.unref();
  }

  #spawn(): Reader {
    const worker = startReader(this.#options.data);
    const reader: Reader = { worker, job: undefined };
    worker.unref();
    worker.on('message', (reply: ReaderReply) => {
      const job = reader.job;
      if (!job || job.request.id !== reply.id) return;
      if (reply.ok) job.resolve(reply.value);
      else job.reject(rebuiltError(reply.error));
      this.#settle(reader);
    });
    const replace = (reason: string): void => {
      if (this.#closed) return;
      const at = this.#readers.indexOf(reader);
      if (at < 0) return;
      reader.job?.reject(new Error(`the search reader stopped: ${reason}`));
      const next = this.#spawn();
      this.#readers[at] = next;
      const waiting = this.#queue.shift();
      if (waiting) {
        this.#options.onQueueDepth?.(this.#queue.length);
        this.#dispatch(next, waiting);
      }
    };
    worker.on('error', (error) => replace(error.message));
    worker.on('exit', (code) => replace(`exit code ${code}`));
    return reader;
  }
}

/** An error of a reader as the same class where it is a built-in one, so callers can tell them apart. */
function rebuiltError({ name, message }: { name: string; message: string }): Error {
  const Builtin = { RangeError, TypeError, SyntaxError }[name];
  return Builtin ? new Builtin(message) : Object.assign(new Error(message), { name });
}

/**
 * A reader thread. Built, the thread runs `sqlite-reader.js`; from source (tests, `tsx`), the
 * thread loads tsx first, since a worker does not inherit the loader that runs this module.
 */
function startReader(data: ReaderData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './sqlite-reader.ts' : './sqlite-reader.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data });
  // tsx's ESM entry of its register API (require.resolve finds its CommonJS twin).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(
    /\.cjs$/,
    '.mjs',
  );
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}
