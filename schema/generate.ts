// Writes schema/outlast.schema.json from the config's zod schema: `node schema/generate.ts`.
import { writeFileSync } from 'node:fs';
import { buildJsonSchema } from '../src/gateway/config/json-schema.ts';

const target = new URL('./outlast.schema.json', import.meta.url);
writeFileSync(target, buildJsonSchema());
console.log(`wrote ${target.pathname}`);
