/**
 * Writes the generated artefacts of the configuration tree: schemas/config.schema.json and
 * docs/configuration.md. With `--check`, writes nothing and exits 1 when either is stale (for CI).
 *
 *   node scripts/generate-config-docs.ts [--check]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_DOCS_PATH, CONFIG_SCHEMA_PATH, renderConfigDocs, renderConfigJsonSchema } from '../src/config/docs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs: [string, string][] = [
  [CONFIG_SCHEMA_PATH, renderConfigJsonSchema()],
  [CONFIG_DOCS_PATH, renderConfigDocs()],
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
    console.error(`${path} is stale: run node scripts/generate-config-docs.ts`);
  } else {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    console.log(`wrote ${path}`);
  }
}
if (stale > 0) process.exit(1);
