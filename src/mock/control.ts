/** The `/_mock/*` control endpoints and the model lists of each format. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireFormat } from '../wire/canonical/index.ts';
import type { FaultPicker } from './fault-picker.ts';
import { readBody, sendJson } from './http-io.ts';
import type { MockLog } from './mock-log.ts';
import type { Scenario } from './scenario.ts';

export interface ControlContext {
  picker: FaultPicker;
  log: MockLog;
  requests(): number;
  inFlight(): number;
  reset(): void;
  setScenario(scenario: Scenario): void;
  loadScenario(body: unknown): Scenario;
}

export async function handleControl(
  ctx: ControlContext,
  req: IncomingMessage,
  res: ServerResponse,
  action: string,
): Promise<void> {
  const { picker, log } = ctx;
  switch (action) {
    case 'health':
      sendJson(res, 200, {
        status: 'ok',
        scenario: picker.scenario.name ?? null,
        seed: picker.seed,
        elapsedMs: picker.elapsedMs(),
        requests: ctx.requests(),
        inFlight: ctx.inFlight(),
      });
      return;
    case 'log':
      sendJson(res, 200, { entries: log.entries(), dropped: log.dropped });
      return;
    case 'reset':
      await readBody(req);
      ctx.reset();
      sendJson(res, 200, { ok: true });
      return;
    case 'scenario': {
      const text = (await readBody(req)).toString('utf8');
      let body: unknown = text;
      const type = String(req.headers['content-type'] ?? '');
      if (!/ya?ml/.test(type)) {
        try {
          body = JSON.parse(text);
        } catch (error) {
          sendJson(res, 400, {
            error: { type: 'invalid_scenario', message: `invalid JSON: ${String(error)}` },
          });
          return;
        }
      }
      try {
        ctx.setScenario(ctx.loadScenario(body));
      } catch (error) {
        sendJson(res, 400, {
          error: {
            type: 'invalid_scenario',
            message: error instanceof Error ? error.message : String(error),
          },
        });
        return;
      }
      sendJson(res, 200, { ok: true, scenario: picker.scenario.name ?? null });
      return;
    }
  }
}

export function listModels(picker: FaultPicker, res: ServerResponse, format: WireFormat): void {
  const names = Object.keys(picker.scenario.models ?? {}).filter((name) => !name.includes('*'));
  const created = 1_700_000_000;
  if (format === 'openai') {
    sendJson(res, 200, {
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', created, owned_by: 'outlast-mock' })),
    });
  } else if (format === 'anthropic') {
    sendJson(res, 200, {
      data: names.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: new Date(created * 1000).toISOString(),
      })),
      has_more: false,
      first_id: names[0] ?? null,
      last_id: names[names.length - 1] ?? null,
    });
  } else {
    sendJson(res, 200, {
      models: names.map((id) => ({
        name: `models/${id}`,
        displayName: id,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
      })),
    });
  }
}
