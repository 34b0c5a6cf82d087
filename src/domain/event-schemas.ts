/**
 * The JSON Schemas of the events the reconciler publishes, generated from their runtime schemas
 * (`node scripts/generate-docs.ts` writes them to schemas/; a test checks they are current).
 */
import { z } from 'zod';
import { mismatchEventSchema } from './mismatch-event.ts';

function render(id: string, title: string, schema: z.ZodType): string {
  const json = { $id: id, title, ...z.toJSONSchema(schema, { target: 'draft-2020-12' }) };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** [path relative to the repository, content] of every generated event schema. */
export function renderEventSchemas(): [string, string][] {
  return [
    [
      'schemas/mismatch-event.schema.json',
      render('https://cdc-reconciler.dev/schemas/mismatch-event.schema.json', 'cdc-reconciler mismatch event', mismatchEventSchema),
    ],
  ];
}
