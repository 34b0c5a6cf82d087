/**
 * The one error of configuration loading: a list of issues, each naming the field (as a path such
 * as `entities[0].businessDay.timeZone`) and the rule it breaks. Messages never contain a field's
 * value: it might be a secret.
 */
import type { z } from 'zod';

export type PathSegment = string | number;

export interface ConfigIssue {
  /** The field, e.g. `entities[0].businessDay.timeZone`; `(file)` for problems of the file as a whole. */
  path: string;
  /** The rule the field breaks, e.g. `must be an IANA time zone name`. */
  rule: string;
  /** The environment variable the value came from, when it came from one. */
  env?: string;
}

export const CONFIG_INVALID = 'RECON_CONFIG_INVALID';

export class ConfigError extends Error {
  readonly code = CONFIG_INVALID;
  /** Retrying with the same configuration gives the same result. */
  readonly retriable = false;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: { file?: string | undefined; cause?: unknown } = {}) {
    const where = options.file === undefined ? '' : ` (${options.file})`;
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid configuration${where}, ${count}:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`, {
      cause: options.cause,
    });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.rule}${issue.env === undefined ? '' : ` (from ${issue.env})`}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['entities', 0, 'columns', 'types', 'my col']` → `entities[0].columns.types["my col"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Field names allowed at a path, for "did you mean" hints; empty when unknown. */
export type KnownFields = (path: readonly PathSegment[]) => readonly string[];

/** Zod issues → config issues, one per field, in the words of the config's user. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], known: KnownFields = () => []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: readonly PathSegment[]) => {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({ path: formatPath([...path, key]), rule: `unknown field${suggestion(key, known(path))}` });
        }
        return;
      case 'invalid_union': {
        // A union fails as a whole; when one branch got further (into the elements of a list),
        // its issues say more than "no branch matched".
        const deeper = issue.errors.find((branch) => branch.some((i) => i.path.length > 0 || i.code !== 'invalid_type'));
        if (deeper && issue.errors.length > 1) deeper.forEach((i) => visit(i, path));
        else out.push({ path: formatPath(path), rule: issue.message });
        return;
      }
      case 'invalid_key':
        for (const inner of issue.issues) out.push({ path: formatPath(path), rule: `invalid name: ${ruleOf(inner)}` });
        return;
      case 'invalid_element':
        issue.issues.forEach((i) => visit(i, path));
        return;
      default:
        out.push({ path: formatPath(path), rule: ruleOf(issue) });
    }
  };
  for (const issue of issues) visit(issue, []);
  return out;
}

/** Zod's own wording, rephrased where it is generic; messages the tree sets are kept as they are. */
function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return issue.message.startsWith('Invalid') ? `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : issue.message;
    case 'too_small':
    case 'too_big': {
      if (!/^Too (small|big)/.test(issue.message)) return issue.message;
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
      if (issue.origin === 'array') return `must have ${op === '>=' ? 'at least' : op === '<=' ? 'at most' : op} ${bound} item(s)`;
      if (issue.origin === 'string') return `must have ${op === '>=' ? 'at least' : op === '<=' ? 'at most' : op} ${bound} character(s)`;
      return `must be ${op} ${bound}`;
    }
    case 'invalid_type': {
      // Zod's default wording is "Invalid input: expected number, received string". Issues carry no
      // input (the loader does not ask for it: it might be a secret), so the received type is read
      // from that wording.
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      const received = /received (\w+)$/.exec(issue.message)?.[1];
      if (received === 'undefined') return 'is required';
      return `expected ${article(issue.expected)}${received === undefined ? '' : `, got ${article(received)}`}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'null') return 'null';
  if (expected === 'int') return 'an integer';
  if (expected === 'object') return 'a mapping (object)';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** ` (did you mean x?)` for the closest candidate, else the list of candidates (when short), else ''. */
export function suggestion(key: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const close = best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3));
  if (close) return ` (did you mean ${best}?)`;
  return candidates.length > 0 && candidates.length <= 12 ? ` (known: ${candidates.join(', ')})` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
