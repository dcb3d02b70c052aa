/**
 * `npm run openapi`: writes apps/server/openapi.json from the server's routes and
 * packages/api-client/src/schema.gen.ts (the client's types) from that document.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument } from '../apps/server/src/openapi.ts';
import { generateClientTypes } from '../packages/api-client/scripts/generate-types.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const document = await generateOpenApiDocument();
writeFileSync(`${root}apps/server/openapi.json`, document);
writeFileSync(`${root}packages/api-client/src/schema.gen.ts`, await generateClientTypes(document));
process.stdout.write('wrote apps/server/openapi.json and packages/api-client/src/schema.gen.ts\n');
