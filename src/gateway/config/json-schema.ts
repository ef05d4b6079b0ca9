/** The config's JSON Schema for editors, generated from the zod schema so the two cannot drift. */
import { z } from 'zod';
import { gatewayConfigSchema } from './schema.ts';

export function buildJsonSchema(): string {
  const schema = z.toJSONSchema(gatewayConfigSchema, { io: 'input', unrepresentable: 'any' });
  const document = {
    ...schema,
    $id: 'https://unpkg.com/outlast/schema/outlast.schema.json',
    title: 'outlast gateway config',
    description:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: `${ENV}` is the YAML's own interpolation syntax, shown to the reader as written
      'outlast.yaml: providers, routes and policies as in createClient(), plus server, keys, state, logging and chaos. Strings may use ${ENV} and ${ENV:-default}.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
