import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the real stack (Keystone or Swift): it
 * forwards everything untouched until a rule matches, then misbehaves the way real networks and
 * clouds do: answers late, cuts the connection, returns a 5xx/507/403, or returns broken JSON.
 * With `tls` it terminates TLS with the given certificate (for the CA-file tests). Part-way faults
 * (`flip`, `cut`) pass the status and headers through and break the body, as a bad link or disk does;
 * `rewrite` edits every forwarded body (a Keystone catalog pointed at a second proxy in front of Swift).
 */

export type Fault =
  | { kind: 'slow'; ms: number }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'malformed' }
  /** The body arrives whole, with one byte inverted at `at` (default: the middle). */
  | { kind: 'flip'; at?: number }
  /** The first `after` bytes of the body arrive, then the connection is reset or hangs (until the proxy closes). */
  | { kind: 'cut'; after: number; then: 'reset' | 'stall' };

export interface Rule {
  method?: string;
  /** Matched against the request path (without the query). */
  path?: RegExp;
  fault: Fault;
  /** Misbehave this many times, then forward untouched (a transient fault); every time when absent. */
  times?: number;
}

export interface FaultProxy {
  url: string;
  rules: Rule[];
  /** Requests that matched a rule, for asserting the fault was hit. */
  hits: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, opts: { rules?: Rule[]; tls?: { key: string; cert: string }; rewrite?: Array<{ from: string; to: string }> } = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules = opts.rules ?? [];
  const hits: string[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const rule = rules.find((r) => (!r.method || r.method === req.method) && (!r.path || r.path.test(path)) && (r.times === undefined || r.times > 0));
    if (rule) {
      if (rule.times !== undefined) rule.times--;
      hits.push(`${req.method} ${path} ${rule.fault.kind}`);
    }
    const fault = rule?.fault;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const body = fault.body ?? `<html><h1>${fault.status}</h1><p>injected by the fault proxy</p></html>`;
      res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const forward = () => {
      const out = http.request({
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: upstream.host },
      }, (up) => {
        if (fault?.kind === 'malformed') {
          up.resume();
          const body = '{"token": {"methods": ["password"], "user": {"id": ';
          const headers = { ...up.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 200, headers);
          res.end(body);
          return;
        }
        if (fault?.kind === 'flip' || opts.rewrite?.length) {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            let body = Buffer.concat(chunks);
            for (const r of opts.rewrite ?? []) if (body.includes(r.from)) body = Buffer.from(body.toString('utf8').split(r.from).join(r.to));
            if (fault?.kind === 'flip' && body.length) body[Math.min(fault.at ?? body.length >> 1, body.length - 1)]! ^= 0xff;
            const headers = { ...up.headers, 'content-length': String(body.length) };
            delete headers['transfer-encoding'];
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(body);
          });
          return;
        }
        if (fault?.kind === 'cut') {
          res.writeHead(up.statusCode ?? 502, up.headers);
          let sent = 0;
          up.on('data', (c: Buffer) => {
            if (sent >= fault.after) return;
            const part = c.subarray(0, fault.after - sent);
            sent += part.length;
            res.write(part);
            if (sent < fault.after) return;
            if (fault.then === 'reset') req.socket.destroy();
            // 'stall': the rest never comes; the socket stays open until the proxy closes.
          });
          up.on('end', () => {
            if (sent < fault.after) res.end();
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => req.socket.destroy());
      req.pipe(out);
    };
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        forward();
      }, fault.ms);
      timers.add(timer);
      return;
    }
    forward();
  };

  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    rules,
    hits,
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
