/**
 * The in-process mock provider: `startMockProvider()` from `outlast/testing`. Listens on
 * 127.0.0.1 (port 0 by default, so tests never collide) and returns its URL and controls.
 */
import { createServer as createNetServer } from 'node:net';
import type { Clock } from '../policy/clock.ts';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { SERVER_CODECS } from './codecs.ts';
import { type ExpectedAnswer, type ExpectedAnswerRequest, expectedAnswer } from './expected-answer.ts';
import { resolveScenario, scenarioFromBody, withModels } from './load-scenario.ts';
import type { MockLogEntry } from './mock-log.ts';
import type { ModelConfigInput, Scenario, ScenarioInput } from './scenario.ts';
import { createMockServer } from './server.ts';

export interface MockProviderOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A shipped name (`flaky`), a YAML/JSON file path, or a scenario object. Default `healthy`. */
  scenario?: Scenario | ScenarioInput | string;
  /** Seed of fault draws, ids and text; wins over the scenario's own. Default: the scenario's, else 0. */
  seed?: number;
  /** Model behaviour merged over the scenario's `models` (same shape). */
  models?: Record<string, ModelConfigInput>;
  /** Clock of time windows (tests pass a fake one); latency timers are real either way. */
  clock?: Clock;
  /** Most log entries kept (oldest dropped first). Default 50,000. */
  logLimit?: number;
  /** Server codecs per format; the real ones by default. */
  codecs?: Partial<Record<WireFormat, ServerCodec>>;
}

export interface MockProvider {
  /** `http://127.0.0.1:<port>`: the Anthropic and Gemini base URL. */
  readonly url: string;
  readonly port: number;
  /** Base URLs as each official SDK takes them (OpenAI's includes `/v1`). */
  readonly baseURLs: { readonly anthropic: string; readonly openai: string; readonly gemini: string };
  /** Every provider request so far (copies). */
  log(): MockLogEntry[];
  /** Clears the log, the attempt counters, the rule hits and the clock of time windows. */
  reset(): void;
  /** Swaps the scenario live (validated; throws ScenarioError). Restarts the window clock and rule hits. */
  setScenario(scenario: Scenario | ScenarioInput | string): void;
  /** The scenario in force, validated and with shorthands resolved. */
  scenario(): Scenario;
  /**
   * What this mock answers `request` with when healthy (its scenario and seed): the text to
   * check a recovered answer against, byte for byte. `continuation` is an `x-mock-continuation` header.
   */
  expectedAnswer(request: ExpectedAnswerRequest & { continuation?: string }): ExpectedAnswer;
  /** A URL on 127.0.0.1 where nothing listens: connecting to it is refused. */
  refusedUrl(): string;
  /** Stops the server, ends every open stream and socket (hung ones too). */
  close(): Promise<void>;
}

/** A port that was free a moment ago and is closed now. */
function findClosedPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const host = options.host ?? '127.0.0.1';
  const scenario = withModels(resolveScenario(options.scenario), options.models);
  const mock = createMockServer({
    scenario,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logLimit === undefined ? {} : { logLimit: options.logLimit }),
    codecs: { ...SERVER_CODECS, ...options.codecs },
    loadScenario: (body) => withModels(scenarioFromBody(body), options.models),
  });
  const { server } = mock;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostInUrl}:${port}`;
  const refusedPort = await findClosedPort(host);
  let closed: Promise<void> | undefined;

  return {
    url,
    port,
    baseURLs: { anthropic: url, openai: `${url}/v1`, gemini: url },
    log: mock.log,
    reset: mock.reset,
    setScenario(next) {
      mock.setScenario(withModels(resolveScenario(next), options.models));
    },
    scenario: () => mock.picker.scenario,
    expectedAnswer: ({ continuation, ...request }) =>
      expectedAnswer(request, {
        scenario: mock.picker.scenario,
        seed: mock.picker.seed,
        ...(continuation === undefined ? {} : { continuation }),
      }),
    refusedUrl: () => `http://${hostInUrl}:${refusedPort}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        mock.destroyAll();
      });
      return closed;
    },
  };
}
