import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { UserError } from '../errors';
import { Cancelled } from '../../prompt/port';

/**
 * Every Keystone and Swift call goes through here: one place that enforces a timeout, honours Ctrl-C,
 * trusts an extra CA file when asked, and turns network failures into errors a person can act on.
 * Built on node:http(s) rather than fetch because Node 20's fetch cannot take a CA file without the
 * undici package, and TLS must never be turned off to work around that.
 */

export interface HttpOptions {
  /** Whole-request deadline; every request has one. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A PEM file of CAs to trust in addition to the system's (--cacert / OS_CACERT). */
  cacert?: string;
}

export interface HttpRequest extends HttpOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** Milliseconds from sending to the last byte. */
  ms: number;
  url: string;
}

export const DEFAULT_TIMEOUT_MS = 20_000;

const agents = new Map<string, http.Agent>();

function agentFor(protocol: string, cacert: string | undefined): http.Agent {
  const key = `${protocol}|${cacert ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    if (protocol === 'https:') {
      let ca: string[] | undefined;
      if (cacert) {
        let pem: string;
        try {
          pem = readFileSync(cacert, 'utf8');
        } catch (error) {
          throw new UserError(`Cannot read the CA file ${cacert}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
            fix: 'Check the path given to --cacert (or OS_CACERT): it must be a readable PEM file.',
            code: 'cacert',
          });
        }
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
          throw new UserError(`The CA file ${cacert} holds no PEM certificate.`, {
            fix: 'Give --cacert a PEM file (text starting with -----BEGIN CERTIFICATE-----), e.g. the CA bundle your cloud provider publishes.',
            code: 'cacert',
          });
        }
        ca = [...rootCertificates, pem];
      }
      agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca });
    } else {
      agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    }
    agents.set(key, agent);
  }
  return agent;
}

/** Idle keep-alive sockets would hold a short-lived CLI open; commands call this when done. */
export function closeConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host;
  } catch {
    return url;
  }
}

/** A network-level failure (no HTTP status) as a UserError with its fix. */
export function networkError(error: NodeJS.ErrnoException, url: string, opts: HttpOptions): UserError {
  const host = hostOf(url);
  const code = error.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new UserError(`Cannot resolve the host name in ${url} (${code}).`, {
      fix: 'Check the spelling of the URL, and that this server can resolve names (cat /etc/resolv.conf; getent hosts HOST).',
      code: 'dns', cause: error,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new UserError(`Nothing accepts connections at ${host} (connection refused).`, {
      fix: 'Check the port in the URL (Keystone usually listens on 5000 or 443), that the service is running, and that no firewall rejects it.',
      code: 'refused', cause: error,
    });
  }
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') {
    return new UserError(`${host} did not answer within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s.`, {
      fix: 'Check the URL and that a firewall lets this server reach it (try: curl -sv URL). A slow cloud may simply be overloaded; try again later.',
      code: 'timeout', cause: error,
    });
  }
  if (/before secure TLS connection was established/i.test(error.message)) {
    return new UserError(`${host} closed the connection during the TLS handshake.`, {
      fix: 'The server does not speak TLS on that port, or a proxy refuses it: check whether the URL should start with http:// instead of https://.',
      code: 'tls', cause: error,
    });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(error.message)) {
    return new UserError(`The connection to ${host} was closed before an answer arrived.`, {
      fix: 'Try again; if it keeps happening, a proxy or firewall between here and the cloud is cutting connections, or the URL points at the wrong kind of server (https vs http).',
      code: 'reset', cause: error,
    });
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    const expired = code === 'CERT_HAS_EXPIRED';
    return new UserError(`TLS with ${host} failed: its certificate ${expired ? 'has expired' : 'is not valid yet'} (${error.message}).`, {
      fix: expired
        ? `The server's certificate (or one above it) is past its end date: the cloud's operator must renew it. If this server's clock is wrong, fix it (date -u; timedatectl). dupliswift never turns certificate checks off.`
        : `This server's clock is probably behind: check it (date -u) and set it right (timedatectl set-ntp true, or ntpdate). dupliswift never turns certificate checks off.`,
      code: 'tls-expired', cause: error,
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new UserError(`TLS with ${host} failed: the certificate is not for the host name ${new URL(url).hostname} (${error.message}).`, {
      fix: 'Use the host name the certificate was issued for (the one in your provider\'s openrc or clouds.yaml, not an IP address or an alias), or ask the operator for a certificate that names this host. dupliswift never turns certificate checks off.',
      code: 'tls-hostname', cause: error,
    });
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(error.message)) {
    const wrongScheme = code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message);
    return new UserError(`TLS with ${host} failed: ${error.message}.`, {
      fix: wrongScheme
        ? 'The server does not speak TLS on that port: check whether the URL should start with http:// instead of https://.'
        : opts.cacert
          ? `The CA file ${opts.cacert} did not vouch for this server's certificate: it is the wrong CA file (another cloud's, or an intermediate instead of the root). Pass the CA that issued it with --cacert FILE (or OS_CACERT, or setup's CA question); compare: openssl s_client -connect ${host} -showcerts </dev/null. dupliswift never turns certificate checks off.`
          : 'If your cloud uses a private certificate authority, pass its CA file with --cacert FILE (or set OS_CACERT, or cacert in clouds.yaml); setup keeps it in the profile for every later command and the backup job. dupliswift never turns certificate checks off.',
      code: 'tls', cause: error,
    });
  }
  return new UserError(`Request to ${host} failed: ${error.message}${code ? ` (${code})` : ''}.`, {
    fix: 'Check the URL and the network between this server and the cloud.',
    code: 'network', cause: error,
  });
}

/** One HTTP exchange. Resolves for every HTTP status (callers decide what a 404 means); rejects with a UserError on network failure. */
export function request(req: HttpRequest): Promise<HttpResponse> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new Cancelled());
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new UserError(`"${req.url}" is not a URL.`, { fix: 'Write it in full, e.g. https://keystone.example.com:5000/v3.', code: 'usage' }));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new UserError(`"${req.url}" is not an http(s) URL.`, { fix: 'Use a URL that starts with https:// (or http:// on a trusted network).', code: 'usage' }));
      return;
    }
    let agent: http.Agent;
    try {
      agent = agentFor(url.protocol, req.cacert);
    } catch (error) {
      reject(error);
      return;
    }
    const started = performance.now();
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const headers: Record<string, string | number> = { 'User-Agent': 'dupliswift', ...req.headers };
    if (body) headers['Content-Length'] = body.byteLength;
    else if (req.method === 'PUT' || req.method === 'POST') headers['Content-Length'] = 0;

    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const lib = url.protocol === 'https:' ? https : http;
    const outgoing = lib.request(url, { method: req.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(networkError(error, req.url, req))));
      res.on('aborted', () => finish(() => reject(networkError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), req.url, req))));
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        finish(() => resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks), ms: performance.now() - started, url: req.url }));
      });
    });
    const timer = setTimeout(() => {
      finish(() => reject(networkError(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), req.url, { ...req, timeoutMs })));
      outgoing.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish(() => reject(new Cancelled()));
      outgoing.destroy();
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(networkError(error, req.url, req))));
    outgoing.end(body);
  });
}

/** The body as JSON, or a UserError that says what answered instead (a login page, a proxy error). */
export function jsonBody<T>(res: HttpResponse, what: string): T {
  const text = res.body.toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    const type = res.headers['content-type'] ?? 'no content type';
    const sample = text.replace(/\s+/g, ' ').trim().slice(0, 80);
    throw new UserError(`${what} answered HTTP ${res.status} with something that is not JSON (${type}${sample ? `: "${sample}…"` : ', empty'}).`, {
      fix: 'Check that the URL points at the OpenStack API itself, not a web page, and that no proxy in between rewrites the answer.',
      code: 'bad-response',
    });
  }
}

/** A short reason from an OpenStack error body ({"error": {"message"}} or Swift's HTML/text), for messages. */
export function reasonOf(res: HttpResponse): string {
  const text = res.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: Swift answers text/html
  }
  return text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
}

/** Statuses that mean the same thing whichever API answered. */
export function serverError(res: HttpResponse, what: string): UserError {
  const reason = reasonOf(res);
  if (res.status === 507) {
    return new UserError(`${what}: the storage is full (HTTP 507 Insufficient Storage).`, {
      fix: 'The cloud has no room left for this write: free space in the account, raise the quota with your provider, or use another region.',
      code: 'storage-full',
    });
  }
  if (res.status === 413) {
    return new UserError(`${what}: over quota (HTTP 413${reason ? `: ${reason}` : ''}).`, {
      fix: 'The account or container quota is reached: delete old backups (duplicity remove-older-than) or ask your provider for a larger quota.',
      code: 'quota',
    });
  }
  if (res.status >= 500) {
    return new UserError(`${what}: the server failed (HTTP ${res.status}${reason ? `: ${reason}` : ''}).`, {
      fix: 'This is on the cloud\'s side: try again in a few minutes; if it persists, contact your provider with the time of the failure.',
      code: 'server',
    });
  }
  return new UserError(`${what}: unexpected HTTP ${res.status}${reason ? ` (${reason})` : ''}.`, {
    fix: 'Check the URL and your permissions; run again with the same settings to see whether it persists.',
    code: 'http',
  });
}
