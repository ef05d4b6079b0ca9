/**
 * Admin keys on every operator endpoint: with `admin.keys` set, /metrics and /status (and the
 * dashboard, see dashboard tests) need `Authorization: Bearer <admin key>` or the login form's
 * cookie; a client key opens none of them. Without admin keys they are open and the startup log
 * says so once. The dashboard's page and its event stream are checked here like the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/index.ts';
import { captureLogger, createHarness, GATEWAY_KEY, type Harness } from './support.ts';

const ADMIN_KEY = 'olk_admin_key_for_tests_0123456789';
const OPS_ENDPOINTS = ['/metrics', '/status', '/dashboard'];

let harness: Harness;
let url: string;
beforeAll(async () => {
  harness = await createHarness({});
  const gateway = await harness.start({
    routes: { default: ['openai/gpt-4.1'] },
    admin: { keys: [hashKey(ADMIN_KEY)] },
  });
  url = gateway.url;
});
afterAll(async () => {
  await harness.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });

describe('admin keys', () => {
  it.each(OPS_ENDPOINTS)(
    '%s refuses no key, a wrong key and a client key, and opens to the admin key',
    async (path) => {
      const refused: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer nope' },
        { authorization: `Bearer ${GATEWAY_KEY}` },
      ];
      for (const headers of refused) {
        const res = await get(path, headers);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="outlast admin"');
        const body = (await res.json()) as { error: { message: string } };
        expect(body.error.message).toContain(`${path} needs an admin key`);
      }
      const ok = await get(path, { authorization: `Bearer ${ADMIN_KEY}` });
      expect(ok.status).toBe(200);
      expect((await ok.text()).length).toBeGreaterThan(0);
    },
  );

  it('refuses the dashboard event stream without an admin key (the browser test opens it with the cookie)', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${GATEWAY_KEY}` },
    ]) {
      const res = await get('/dashboard/events', headers as Record<string, string>);
      expect(res.status).toBe(401);
      await res.text();
    }
  });

  it('opens the dashboard event stream to the admin key as a Bearer token', async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/dashboard/events`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    const first = JSON.parse(text.slice('data: '.length, text.indexOf('\n\n'))) as { targets: unknown[] };
    expect(text.startsWith('data: ')).toBe(true);
    expect(Array.isArray(first.targets)).toBe(true);
  });

  it('keeps the health checks open and the admin key out of the model endpoints', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    const call = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(call.status).toBe(401);
  });

  it('gives a browser a login form whose cookie opens the endpoints', async () => {
    const redirect = await fetch(`${url}/status`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/dashboard/login?next=%2Fstatus');
    const page = await get('/dashboard/login?next=%2Fstatus');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/dashboard/login">');
    expect(html).toContain('name="next" value="/status"');

    const login = (key: string) =>
      fetch(`${url}/dashboard/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ key, next: '/status' }).toString(),
      });
    const wrong = await login(GATEWAY_KEY);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('That is not an admin key.');

    const right = await login(ADMIN_KEY);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/status');
    const cookie = right.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^outlast_admin=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\//);
    expect(cookie).not.toContain(ADMIN_KEY);
    const session = cookie.slice(0, cookie.indexOf(';'));
    for (const path of OPS_ENDPOINTS) {
      const res = await get(path, { cookie: session });
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    expect((await get('/status', { cookie: 'outlast_admin=forged' })).status).toBe(401);
  });

  it('never redirects a login off the gateway', async () => {
    const res = await fetch(`${url}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: ADMIN_KEY, next: '//evil.example/x' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
  });
});

describe('without admin keys', () => {
  it('leaves the operator endpoints open and says so once at startup', async () => {
    const open = await createHarness({});
    try {
      const log = captureLogger();
      const gateway = await open.start({ routes: { default: ['openai/gpt-4.1'] } }, { logger: log });
      for (const path of OPS_ENDPOINTS) {
        const res = await fetch(`${gateway.url}${path}`);
        expect(res.status).toBe(200);
        await res.body?.cancel();
      }
      const warnings = log.records.filter(
        (r) => r.level === 'warn' && /no admin keys configured/.test(r.msg ?? ''),
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.msg).toContain('/metrics, /status and /dashboard are open');
    } finally {
      await open.close();
    }
  });
});
