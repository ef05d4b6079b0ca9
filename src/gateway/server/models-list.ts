/**
 * `GET /v1/models` in a shape both SDKs read: OpenAI's `{ object: 'list', data: [{ id,
 * object, created, owned_by }] }` and Anthropic's `{ data: [{ type, id, display_name,
 * created_at }], has_more, first_id, last_id }` at once, plus what each id reaches.
 */
import type { Engine } from '../../engine/index.ts';

export function modelsList(engine: Engine, startedAt: Date): unknown {
  const created = Math.floor(startedAt.getTime() / 1000);
  const data = engine.models().map((m) => ({
    id: m.id,
    object: 'model',
    type: 'model',
    created,
    created_at: startedAt.toISOString(),
    owned_by: m.kind === 'route' ? 'outlast' : (m.targets[0]?.split('/')[0] ?? 'outlast'),
    display_name: m.kind === 'route' ? `route ${m.id} (${m.targets.join(' → ')})` : m.id,
    outlast: { kind: m.kind, targets: m.targets },
  }));
  return {
    object: 'list',
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
