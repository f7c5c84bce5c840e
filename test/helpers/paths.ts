import { fileURLToPath } from 'node:url';

/** The project root (where tasks.ts is), with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The absolute path of a file in test/fixtures/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}
