import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from './config';

/** Preflight results may be cached this long by the browser; short, so an allow-list change applies soon. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Which browser origins may talk to the relay. Requests without an Origin header (Node, curl, Python) are not
 * browser cross-origin requests and are always allowed; tokens guard them.
 */
export class OriginPolicy {
  constructor(
    private readonly allowList: string[] | null,
    private readonly boundToLoopback: boolean,
  ) {}

  allows(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (this.allowList) return this.allowList.includes('*') || this.allowList.includes(origin);
    return isLoopbackOrigin(origin) || isOwnOrigin(origin, req.headers.host);
  }

  /**
   * DNS-rebinding guard: a relay bound to loopback answers only to loopback Host names, otherwise a page on
   * evil.example whose DNS flips to 127.0.0.1 would be "same-origin" with it. An explicit allow-list opts out.
   */
  hostAllowed(req: IncomingMessage): boolean {
    if (!this.boundToLoopback || this.allowList) return true;
    const host = req.headers.host;
    if (host === undefined) return true;
    return isLoopbackHost(hostnameOf(host));
  }

  /** Sets the CORS response headers for an allowed browser origin (nothing for non-browser requests). */
  applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined || !this.allows(req)) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Length');
  }

  preflightHeaders(req: IncomingMessage): Record<string, string> {
    const headers: Record<string, string> = {
      'Access-Control-Allow-Methods': 'GET, HEAD, PUT, OPTIONS',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'authorization, content-type',
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
    };
    // Chrome's Private Network Access: an allowed public origin (say a hosted app) may reach a relay on this machine.
    if (req.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
    return headers;
  }
}

export function isLoopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}

function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const u = new URL(origin);
    // Normalise through URL on both sides so default ports (":80") compare equal.
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === new URL(`${u.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** "127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "::1". */
function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host;
  }
}
