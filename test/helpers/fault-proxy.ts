import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the real stack (Keystone or Swift): it
 * forwards everything untouched until a rule matches, then misbehaves the way real networks and
 * clouds do: answers late, never answers, cuts the connection (at once or part-way through an
 * upload), stops reading an upload, returns a 5xx/507/403, returns broken JSON, or flips one byte of
 * a request body on its way. With `tls` it terminates TLS with the given certificate (for the CA-file
 * tests). With `rewrite` it replaces text in JSON answers (Keystone's catalog, to point Swift at a
 * second proxy). The `*-response` faults break an answer's body part-way, as a bad link or disk does on
 * a download: status and headers pass through, then one byte is inverted or the body stops.
 */

export type Fault =
  | { kind: 'slow'; ms: number }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'malformed' }
  /** Accepts the request and never answers (until the proxy closes). */
  | { kind: 'hang' }
  /** Forwards `after` bytes of the request body, then cuts the connection. */
  | { kind: 'cut'; after: number }
  /** Reads `after` bytes of the request body, then stops reading and never answers (nothing reaches the server). */
  | { kind: 'stall'; after: number }
  /** Flips the byte at `offset` of the request body (XOR 0xff) and forwards the rest untouched. */
  | { kind: 'flip'; offset: number }
  /** The answer's body arrives whole, with one byte inverted at `at` (default: the middle). */
  | { kind: 'flip-response'; at?: number }
  /** The first `after` bytes of the answer's body arrive, then the connection is reset or hangs. */
  | { kind: 'cut-response'; after: number; then: 'reset' | 'stall' };

export interface Rule {
  method?: string;
  /** Matched against the request path (without the query). */
  path?: RegExp;
  fault: Fault;
  /** Let this many matching requests through untouched first. */
  skip?: number;
  /** Misbehave on this many requests, then let the rest through (default: all). */
  times?: number;
}

export interface FaultProxy {
  url: string;
  rules: Rule[];
  /** Requests that matched a rule, for asserting the fault was hit. */
  hits: string[];
  /** Every request seen, "METHOD path". */
  seen: string[];
  /** Resolves when a request matching `method path` has hit a rule's fault. */
  waitForHit(pattern: RegExp, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Passes `after` bytes, then calls `onLimit` once and swallows the rest. */
function limitAfter(after: number, onLimit: () => void): Transform {
  let seen = 0;
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (done) return cb();
      const room = after - seen;
      seen += chunk.length;
      if (chunk.length < room) return cb(null, chunk);
      done = true;
      this.push(chunk.subarray(0, Math.max(0, room)));
      cb();
      setImmediate(onLimit);
    },
  });
}

function flipAt(offset: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (offset >= seen && offset < seen + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[offset - seen] = copy[offset - seen]! ^ 0xff;
        chunk = copy;
      }
      seen += chunk.length;
      cb(null, chunk);
    },
  });
}

type Rewrite = { from: string; to: string };

export async function startFaultProxy(target: string, opts: { rules?: Rule[]; tls?: { key: string; cert: string }; rewrite?: Rewrite | Rewrite[] } = {}): Promise<FaultProxy> {
  const rewrites = opts.rewrite === undefined ? [] : Array.isArray(opts.rewrite) ? opts.rewrite : [opts.rewrite];
  const upstream = new URL(target);
  const rules = opts.rules ?? [];
  const hits: string[] = [];
  const seen: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const counts = new Map<Rule, number>();

  /** The rule that applies to this request, counting its skip/times budget. */
  const pick = (method: string | undefined, path: string): Rule | undefined => {
    for (const r of rules) {
      if ((r.method && r.method !== method) || (r.path && !r.path.test(path))) continue;
      const n = (counts.get(r) ?? 0) + 1;
      counts.set(r, n);
      if (n <= (r.skip ?? 0)) return undefined;
      // Spent: the next rule may still apply (a transient fault, then another).
      if (r.times !== undefined && n > (r.skip ?? 0) + r.times) continue;
      return r;
    }
    return undefined;
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push(`${req.method} ${path}`);
    const rule = pick(req.method, path);
    if (rule) {
      const hit = `${req.method} ${path} ${rule.fault.kind}`;
      hits.push(hit);
      for (const w of waiters.splice(0)) if (w.pattern.test(hit)) w.resolve(); else waiters.push(w);
    }
    const fault = rule?.fault;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      req.resume();
      return;
    }
    if (fault?.kind === 'stall') {
      let got = 0;
      req.on('data', (c: Buffer) => { got += c.length; if (got >= fault.after) req.pause(); });
      return;
    }
    if (fault?.kind === 'status') {
      const body = fault.body ?? `<html><h1>${fault.status}</h1><p>injected by the fault proxy</p></html>`;
      req.resume();
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
        const json = /json/.test(String(up.headers['content-type'] ?? ''));
        if (fault?.kind === 'flip-response' || (rewrites.length && json)) {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            let body = Buffer.concat(parts);
            if (json) for (const r of rewrites) if (body.includes(r.from)) body = Buffer.from(body.toString('utf8').split(r.from).join(r.to));
            if (fault?.kind === 'flip-response' && body.length) body[Math.min(fault.at ?? body.length >> 1, body.length - 1)]! ^= 0xff;
            const headers = { ...up.headers, 'content-length': String(body.length) };
            delete headers['transfer-encoding'];
            res.writeHead(up.statusCode ?? 200, headers);
            res.end(body);
          });
          return;
        }
        if (fault?.kind === 'cut-response') {
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
      if (fault?.kind === 'cut') {
        req.pipe(limitAfter(fault.after, () => { out.destroy(); req.socket.destroy(); })).pipe(out);
      } else if (fault?.kind === 'flip') {
        req.pipe(flipAt(fault.offset)).pipe(out);
      } else {
        req.pipe(out);
      }
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
    seen,
    waitForHit(pattern, timeoutMs = 60_000) {
      if (hits.some((h) => pattern.test(h))) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no request matching ${pattern} hit a fault within ${timeoutMs} ms; seen: ${seen.slice(-10).join(', ')}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
