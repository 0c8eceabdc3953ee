import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface DigestPaper {
  title: string;
  abstract: string;
  authors: number;
  upvotes: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A Hugging Face listing in the plain-text form of the bundled fixture (the hf-text format). */
export function hfTextPage(day: string, papers: DigestPaper[]): string {
  const date = new Date(`${day}T00:00:00Z`);
  const label = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
  const entries = papers.map(
    (p) => `${p.title}\n\n${p.abstract}\n\n  • ${p.authors} authors\n·\n${label} ${p.upvotes}\n`,
  );
  return `Daily Papers\n\nbyAK and the research community\n\n${label}\n\n${entries.join('\n')}`;
}

export interface RequestRecord {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
}

export interface DigestServer {
  origin: string;
  port: number;
  requests: RequestRecord[];
  /** Requests to `path` so far. */
  hits(path: string): RequestRecord[];
  /** Connections accepted by the listener on 127.0.0.2 (same port), which must stay at zero. */
  trapConnections(): number;
  close(): Promise<void>;
}

export type Route = (req: IncomingMessage, res: ServerResponse, nth: number) => void;

/**
 * A local digest site on 127.0.0.1 with one handler per path (each told how many times its path
 * was requested before), and a trap listener on 127.0.0.2 at the same port that only counts.
 */
export async function startDigestServer(routes: Record<string, Route>): Promise<DigestServer> {
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const nth = requests.filter((r) => r.path === path).length;
    requests.push({ path, at: Date.now(), headers: req.headers });
    const route = routes[path];
    if (!route) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    route(req, res, nth);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, 0, '127.0.0.1');
  const port = (server.address() as { port: number }).port;

  let trapped = 0;
  const trap = createServer((_req, res) => res.end('this listener must never be reached'));
  trap.on('connection', (socket) => {
    trapped += 1;
    socket.destroy();
  });
  await listen(trap, port, '127.0.0.2');

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    hits: (path) => requests.filter((r) => r.path === path),
    trapConnections: () => trapped,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([close(server), close(trap)]);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
