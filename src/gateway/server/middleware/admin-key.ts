/**
 * The operator's endpoints (/metrics, /status, /dashboard and its stream) behind admin keys,
 * `admin: { keys: [sha256:…] }`: a separate list from the client keys, so a client key opens
 * none of them. A script sends `Authorization: Bearer <admin key>`; a browser gets a login form
 * whose POST sets an HttpOnly session cookie (a random token kept in memory for 12 hours, never
 * the key itself). No admin keys: the endpoints are open, as before (the startup log says so).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createKeyCheck } from '../../config/hash-key.ts';
import type { Middleware } from './compose.ts';

export const ADMIN_COOKIE = 'outlast_admin';
export const LOGIN_PATH = '/dashboard/login';
const SESSION_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;
const FORM_LIMIT_BYTES = 4096;

export interface AdminKeyOptions {
  /** `sha256:<hex>` hashes; none: open. */
  readonly hashes: readonly string[];
  readonly now?: () => number;
}

export interface AdminAuth {
  /** The middleware for every admin endpoint. */
  readonly guard: Middleware;
  /** The login form's POST: checks the key, sets the cookie, sends the browser where it was going. */
  readonly login: Middleware;
  readonly open: boolean;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim();
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const wantsHtml = (req: IncomingMessage) => (req.headers.accept ?? '').includes('text/html');

function loginPage(error: boolean, next: string): string {
  const safeNext = next.replace(/[^A-Za-z0-9/_.-]/g, '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>outlast admin</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font:16px system-ui,sans-serif;background:#0f1115;color:#e6e6e6;display:grid;place-items:center;height:100vh;margin:0}
form{background:#181b22;padding:2rem;border-radius:8px;min-width:20rem}input{width:100%;box-sizing:border-box;padding:.5rem;margin:.5rem 0 1rem;font:inherit}
button{padding:.5rem 1rem;font:inherit}.error{color:#ff6b6b}</style></head><body>
<form method="post" action="${LOGIN_PATH}"><h1>outlast admin</h1>
${error ? '<p class="error">That is not an admin key.</p>' : ''}
<label for="key">Admin key</label><input id="key" name="key" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="${safeNext}"><button type="submit">Sign in</button></form></body></html>`;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > FORM_LIMIT_BYTES) {
        req.pause();
        reject(new Error('form too large'));
      }
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

export function adminKey(options: AdminKeyOptions): AdminAuth {
  const now = options.now ?? Date.now;
  const open = options.hashes.length === 0;
  const check = open ? () => false : createKeyCheck(options.hashes);
  const sessions = new Map<string, number>();
  const validSession = (token: string | undefined) => {
    if (token === undefined) return false;
    const until = sessions.get(token);
    if (until === undefined) return false;
    if (until < now()) {
      sessions.delete(token);
      return false;
    }
    return true;
  };
  const newSession = () => {
    // Oldest first in a Map: the bound drops the oldest session.
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
    const token = randomBytes(32).toString('base64url');
    sessions.set(token, now() + SESSION_MS);
    return token;
  };

  const guard: Middleware = async function adminKey(ctx, next) {
    if (open) return next();
    const key = bearer(ctx.req);
    if ((key !== undefined && check(key)) || validSession(cookie(ctx.req, ADMIN_COOKIE))) return next();
    if (wantsHtml(ctx.req)) {
      // To the form, as a page of its own: a browser shows an error status as a console error.
      ctx.res.writeHead(303, {
        location: `${LOGIN_PATH}?next=${encodeURIComponent(ctx.path)}`,
        'content-length': 0,
        'cache-control': 'no-store',
      });
      ctx.res.end();
      return 303;
    }
    const body = JSON.stringify({
      error: {
        type: 'authentication_error',
        message: `${ctx.path} needs an admin key: send \`Authorization: Bearer <admin key>\` (a client key is not one)`,
      },
    });
    ctx.res.writeHead(401, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'www-authenticate': 'Bearer realm="outlast admin"',
    });
    ctx.res.end(body);
    return 401;
  };

  const login: Middleware = async function adminLogin(ctx) {
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      const query = ctx.req.url?.includes('?') ? ctx.req.url.slice(ctx.req.url.indexOf('?')) : '';
      const body = loginPage(false, new URLSearchParams(query).get('next') ?? '/dashboard');
      ctx.res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      ctx.res.end(body);
      return 200;
    }
    let form: URLSearchParams;
    try {
      form = await readForm(ctx.req);
    } catch {
      ctx.res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      ctx.res.end('form too large');
      return 413;
    }
    const next = form.get('next') ?? '/dashboard';
    const target = /^\/[A-Za-z0-9/_.-]*$/.test(next) && !next.startsWith('//') ? next : '/dashboard';
    const key = form.get('key') ?? '';
    if (open || !check(key)) {
      const body = loginPage(!open, target);
      ctx.res.writeHead(open ? 200 : 401, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      ctx.res.end(body);
      return open ? 200 : 401;
    }
    ctx.res.writeHead(303, {
      location: target,
      'set-cookie': `${ADMIN_COOKIE}=${newSession()}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`,
      'content-length': 0,
    });
    ctx.res.end();
    return 303;
  };

  return { guard, login, open };
}
