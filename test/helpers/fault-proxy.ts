import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the real stack (Keystone or Swift): it
 * forwards everything untouched until a rule matches, then misbehaves the way real networks and
 * clouds do: answers late, cuts the connection, returns a 5xx/507/403, or returns broken JSON.
 * With `tls` it terminates TLS with the given certificate (for the CA-file tests).
 */

export type Fault =
  | { kind: 'slow'; ms: number }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'malformed' };

export interface Rule {
  method?: string;
  /** Matched against the request path (without the query). */
  path?: RegExp;
  fault: Fault;
}

export interface FaultProxy {
  url: string;
  rules: Rule[];
  /** Requests that matched a rule, for asserting the fault was hit. */
  hits: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, opts: { rules?: Rule[]; tls?: { key: string; cert: string } } = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules = opts.rules ?? [];
  const hits: string[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const rule = rules.find((r) => (!r.method || r.method === req.method) && (!r.path || r.path.test(path)));
    if (rule) hits.push(`${req.method} ${path} ${rule.fault.kind}`);
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
