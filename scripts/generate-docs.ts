/**
 * Writes the generated artefacts: from the configuration tree, schemas/config.schema.json and
 * docs/configuration.md; from the event schemas, schemas/*-event.schema.json. With `--check`,
 * writes nothing and exits 1 when any is stale (for CI).
 *
 *   node scripts/generate-docs.ts [--check]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_DOCS_PATH, CONFIG_SCHEMA_PATH, renderConfigDocs, renderConfigJsonSchema } from '../src/config/docs.ts';
import { renderEventSchemas } from '../src/domain/event-schemas.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs: [string, string][] = [
  [CONFIG_SCHEMA_PATH, renderConfigJsonSchema()],
  [CONFIG_DOCS_PATH, renderConfigDocs()],
  ...renderEventSchemas(),
];

const check = process.argv.includes('--check');
const read = (path: string) => {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
};

let stale = 0;
for (const [path, content] of outputs) {
  if (read(path) === content) continue;
  if (check) {
    stale++;
    console.error(`${path} is stale: run npm run generate`);
  } else {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    console.log(`wrote ${path}`);
  }
}
if (stale > 0) process.exit(1);
