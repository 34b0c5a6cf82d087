import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (one directory above both src/ and dist/). */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version: string };
  return pkg.version;
}
