/**
 * Visiting the values of a field (whose path may run through any list element or map entry) in a
 * concrete configuration object.
 */
import type { PathSegment } from './errors.ts';
import type { FieldSegment } from './fields.ts';

/** Calls `visit` with each object that holds the field's last segment, and the concrete path to it. */
export function forEachHolder(
  root: unknown,
  segments: readonly FieldSegment[],
  visit: (holder: Record<string, unknown>, path: PathSegment[]) => void,
): void {
  const go = (node: unknown, depth: number, path: PathSegment[]) => {
    if (typeof node !== 'object' || node === null) return;
    if (depth === segments.length - 1) {
      if (!Array.isArray(node)) visit(node as Record<string, unknown>, path);
      return;
    }
    const segment = segments[depth]!;
    if (typeof segment === 'string') {
      if (!Array.isArray(node)) go((node as Record<string, unknown>)[segment], depth + 1, [...path, segment]);
    } else if ('index' in segment) {
      if (Array.isArray(node)) node.forEach((item, i) => go(item, depth + 1, [...path, i]));
    } else if (!Array.isArray(node)) {
      for (const [key, value] of Object.entries(node)) go(value, depth + 1, [...path, key]);
    }
  };
  go(root, 0, []);
}
