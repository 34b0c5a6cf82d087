/**
 * Secrets given as files (`passwordFile`, `hmacSecretFile`): read once at load, after validation,
 * into their sibling field, so the rest of the program sees one place. Relative paths are relative
 * to the working directory. The content's trailing newline (editors and `echo` add one) is dropped.
 */
import { readFileSync } from 'node:fs';
import { formatPath, type ConfigIssue } from './errors.ts';
import { secretFields } from './fields.ts';
import { forEachHolder } from './paths.ts';

export type ReadTextFile = (path: string) => string;

const readUtf8: ReadTextFile = (path) => readFileSync(path, 'utf8');

/** Fills each secret from its `File` sibling in `config` (mutated); returns the problems found. */
export function resolveSecretFiles(config: unknown, readFile: ReadTextFile = readUtf8): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { field, fileField } of secretFields()) {
    const name = field.segments[field.segments.length - 1] as string;
    forEachHolder(config, field.segments, (holder, path) => {
      const file = holder[fileField];
      if (typeof file !== 'string') return;
      const where = formatPath([...path, fileField]);
      let content: string;
      try {
        content = readFile(file).replace(/(\r?\n)+$/, '');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        issues.push({ path: where, rule: `cannot read ${file} (${code})` });
        return;
      }
      const minLength = field.schema.minLength ?? 1;
      if (content.length === 0) issues.push({ path: where, rule: `${file} is empty` });
      else if (content.length < minLength) issues.push({ path: where, rule: `the content of ${file} must be at least ${minLength} characters` });
      else holder[name] = content;
    });
  }
  return issues;
}
