/**
 * A scenario from whatever names one: a shipped name (`flaky`), a YAML or JSON file path, a
 * YAML/JSON text, or an object. Every road ends in `parseScenario`, so errors read the same.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { isScenarioName, NAMED_SCENARIOS } from './named-scenarios.ts';
import {
  type ModelConfigInput,
  parseScenario,
  type Scenario,
  ScenarioError,
  type ScenarioInput,
} from './scenario.ts';

/** A name or a file path. */
export function loadScenario(nameOrPath: string): Scenario {
  if (isScenarioName(nameOrPath)) return parseScenario(NAMED_SCENARIOS[nameOrPath], `scenario ${nameOrPath}`);
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (error) {
    const names = Object.keys(NAMED_SCENARIOS).join(', ');
    throw new ScenarioError(
      `scenario "${nameOrPath}" is neither a shipped scenario (${names}) nor a readable file: ${(error as Error).message}`,
    );
  }
  return parseScenarioText(text, nameOrPath);
}

/** YAML or JSON text (JSON is YAML). */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`invalid ${source}: not YAML or JSON: ${(error as Error).message}`);
  }
  return parseScenario(value ?? {}, source);
}

/** Anything the public API accepts as a scenario. */
export function resolveScenario(input: Scenario | ScenarioInput | string | undefined): Scenario {
  if (input === undefined) return parseScenario(NAMED_SCENARIOS.healthy);
  if (typeof input === 'string') return loadScenario(input);
  return parseScenario(input);
}

/** The body of `POST /_mock/scenario`: a scenario object, a shipped name as a JSON string, or YAML text. */
export function scenarioFromBody(body: unknown): Scenario {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (isScenarioName(trimmed)) return loadScenario(trimmed);
    return parseScenarioText(body, 'scenario body');
  }
  if (typeof body === 'object' && body !== null && 'use' in body && typeof body.use === 'string') {
    if (!isScenarioName(body.use)) throw new ScenarioError(`unknown scenario name "${body.use}"`);
    return loadScenario(body.use);
  }
  return parseScenario(body, 'scenario body');
}

/** Model behaviour merged over a scenario's `models` (startMockProvider's `models` option). */
export function withModels(
  scenario: Scenario,
  models: Record<string, ModelConfigInput> | undefined,
): Scenario {
  if (!models) return scenario;
  const extra = parseScenario({ models }).models ?? {};
  const merged = { ...scenario.models };
  for (const [name, config] of Object.entries(extra)) {
    const base = merged[name];
    merged[name] = base
      ? { ...base, ...config, faults: [...(config.faults ?? []), ...(base.faults ?? [])] }
      : config;
  }
  return { ...scenario, models: merged };
}
