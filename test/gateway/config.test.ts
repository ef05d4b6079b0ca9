import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildJsonSchema,
  createKeyCheck,
  generateKey,
  hashKey,
  parseConfig,
} from '../../src/gateway/config/index.ts';

const base = `
providers:
  anthropic: { type: anthropic, apiKey: "\${ANTHROPIC_KEY}" }
  openai: { type: openai, apiKey: "\${OPENAI_KEY:-sk-default}", baseURL: "\${OPENAI_URL:-https://api.openai.com/v1}" }
routes:
  default: [anthropic/claude-sonnet-4-5, openai/gpt-4.1]
`;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('gateway config', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the test's name quotes the config's `${ENV}` syntax
  it('fills ${ENV} and ${ENV:-default} from the environment', () => {
    const config = parseConfig(base, { env: { ANTHROPIC_KEY: 'sk-ant-1' } });
    expect(config.providers.anthropic?.apiKey).toBe('sk-ant-1');
    expect(config.providers.openai?.apiKey).toBe('sk-default');
    expect(config.providers.openai?.baseURL).toBe('https://api.openai.com/v1');
  });

  it('names the path of a missing environment variable', () => {
    const message = errorOf(() => parseConfig(base, { env: {}, source: 'outlast.yaml' }));
    expect(message).toContain('outlast.yaml');
    expect(message).toContain('providers.anthropic.apiKey: environment variable ANTHROPIC_KEY is not set');
  });

  it('names the route target that points at an unknown provider, with a suggestion', () => {
    const yaml = base.replace('openai/gpt-4.1', 'opnai/gpt-4.1');
    const message = errorOf(() => parseConfig(yaml, { env: { ANTHROPIC_KEY: 'k' } }));
    expect(message).toContain('routes.default.1: unknown provider "opnai", did you mean "openai"?');
  });

  it('names the path and the value of a wrong type', () => {
    const message = errorOf(() =>
      parseConfig(`${base}server: { port: "eighty" }\nretry: { attempts: -1 }\n`, {
        env: { ANTHROPIC_KEY: 'k' },
      }),
    );
    expect(message).toContain('server.port:');
    expect(message).toContain('"eighty"');
    expect(message).toContain('retry');
  });

  it('rejects unknown keys and badly formed key hashes', () => {
    expect(errorOf(() => parseConfig(`${base}sever: {}\n`, { env: { ANTHROPIC_KEY: 'k' } }))).toContain(
      'sever',
    );
    expect(
      errorOf(() => parseConfig(`${base}keys: [plaintext-key]\n`, { env: { ANTHROPIC_KEY: 'k' } })),
    ).toMatch(/keys\.0: .*sha256/);
  });

  it('checks chaos rules against the routes', () => {
    const yaml = `${base}chaos:\n  - { route: defualt, fault: overloaded, rate: 0.1 }\n  - { route: default, fault: melted, rate: 2 }\n`;
    const message = errorOf(() => parseConfig(yaml, { env: { ANTHROPIC_KEY: 'k' } }));
    expect(message).toContain('chaos.1.fault');
    expect(message).toContain('chaos.1.rate');
    const typo = `${base}chaos:\n  - { route: defualt, fault: overloaded, rate: 0.1 }\n`;
    expect(errorOf(() => parseConfig(typo, { env: { ANTHROPIC_KEY: 'k' } }))).toContain(
      'chaos.0.route: unknown route "defualt", did you mean "default"?',
    );
  });

  it('takes balanced groups in YAML, and names a bad member by its path', () => {
    const yaml = `
providers:
  east: { type: openai, apiKey: k1 }
  west: { type: openai, apiKey: k2 }
routes:
  default: [{ balance: latency, targets: [east/gpt-4.1, west/gpt-4.1] }, west/gpt-4.1-mini]
  keys: { targets: [{ balance: weighted, targets: [{ target: east/gpt-4.1, weight: 3 }, west/gpt-4.1] }] }
pacing: false
chaos:
  - { route: default, fault: rate_limited, rate: 0.5, target: west/gpt-4.1 }
`;
    const config = parseConfig(yaml);
    expect(config.pacing).toBe(false);
    expect(config.chaos?.[0]?.target).toBe('west/gpt-4.1');
    const typo = yaml.replace('weight: 3 }, west/gpt-4.1', 'weight: 3 }, wset/gpt-4.1');
    expect(errorOf(() => parseConfig(typo))).toContain(
      'routes.keys.targets.0.targets.1: unknown provider "wset", did you mean "west"?',
    );
    const stray = yaml.replace('target: west/gpt-4.1 }', 'target: east/gpt-4.1-nope }');
    expect(errorOf(() => parseConfig(stray))).toContain(
      'chaos.0.target: "east/gpt-4.1-nope" is not a target of route "default"',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const message = errorOf(() => parseConfig('providers:\n  a: [unclosed\n', { source: 'bad.yaml' }));
    expect(message).toMatch(/bad\.yaml: line \d+/);
  });

  it('accepts a full config', () => {
    const config = parseConfig(
      `${base}server: { port: 0, host: 127.0.0.1, bodyLimitBytes: 1000, drainTimeoutMs: 5000 }
keys:
  - ${hashKey('one')}
  - { name: team-b, hash: ${hashKey('two')} }
state: { redis: "redis://127.0.0.1:6379" }
logging: { level: warn }
retry: 3
timeout: quick
stream: salvage
chaos:
  - { route: default, fault: rate_limited, rate: 0.5, target: anthropic/claude-sonnet-4-5 }
`,
      { env: { ANTHROPIC_KEY: 'k' } },
    );
    expect(config.keys).toHaveLength(2);
    expect(config.chaos?.[0]?.fault).toBe('rate_limited');
  });

  it('publishes a JSON Schema that matches the zod schema (run `node schema/generate.ts` when this fails)', () => {
    const onDisk = readFileSync(new URL('../../schema/outlast.schema.json', import.meta.url), 'utf8');
    expect(onDisk).toBe(buildJsonSchema());
    const schema = JSON.parse(onDisk) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['providers', 'routes', 'server', 'keys', 'state', 'logging', 'chaos']),
    );
  });
});

describe('gateway keys', () => {
  it('hashes keys and checks a presented key against the hashes only', () => {
    const key = generateKey();
    expect(key).toMatch(/^olk_[A-Za-z0-9_-]{43}$/);
    const check = createKeyCheck([hashKey('other'), hashKey(key)]);
    expect(check(key)).toBe(true);
    expect(check(`${key}x`)).toBe(false);
    expect(check('')).toBe(false);
    expect(createKeyCheck([])('anything')).toBe(false);
  });
});
