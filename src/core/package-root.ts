// The installed package's folder (holds package.json, samples/, targets/, profiles/), found the same way from src/ and dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `start` that holds a `package.json`. Source files sit in
 * `<root>/src/...`, compiled files in `<root>/dist/...`; neither folder has its own package.json,
 * so walking up finds the package from both.
 */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`edge-prune: no package.json in any folder above ${start}`);
  }
}

/** The package folder (holds `package.json`, `samples/`, `targets/` and `profiles/`). */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
