import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { ConfigError } from '../errors.js';

/**
 * Import a config module written in TypeScript or JavaScript, in an ESM or a
 * CommonJS project, without a TypeScript loader in the process. As Vite does
 * with vite.config.ts: bundle the file with esbuild (packages stay external,
 * so `groundwork` and the user's dependencies are the installed ones), write
 * the bundle as a temporary .mjs beside the config (so bare imports resolve
 * from the user's project), import that natively and remove it.
 *
 * Loaded modules are cached by path, size and mtime: registering a class
 * from a re-bundled copy would otherwise clash with the first copy's class.
 */
export async function importConfigModule(file: string): Promise<{ default?: unknown }> {
  const path = resolve(file);
  const { mtimeMs, size } = await stat(path);
  const key = `${path}\0${mtimeMs}\0${size}`;
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = bundleAndImport(path);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

const cache = new Map<string, Promise<{ default?: unknown }>>();

async function bundleAndImport(path: string): Promise<{ default?: unknown }> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path],
    absWorkingDir: dirname(path),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [keepGroundworkExternal(), fileLocationShims()],
  }).catch((error: unknown) => {
    throw new ConfigError(`Cannot compile config ${path}: ${firstBuildError(error, dirname(path))}`, { cause: error });
  });
  const temp = join(dirname(path), `${basename(path)}.timestamp-${Date.now()}-${randomBytes(4).toString('hex')}.mjs`);
  await writeFile(temp, result.outputFiles[0]!.text);
  try {
    return (await import(pathToFileURL(temp).href)) as { default?: unknown };
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Groundwork's own files (its src/ or dist/, reached through a relative import
 * as in this repository's examples) stay external too: bundling a second copy
 * would give the config its own registries, which the scheduler never sees.
 */
function keepGroundworkExternal(): Plugin {
  const root = packageRoot();
  const inside = (p: string) => p.startsWith(join(root, 'src') + '/') || p.startsWith(join(root, 'dist') + '/');
  return {
    name: 'groundwork-external',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path);
        if (!inside(target)) return undefined;
        // A `.js` import of a `.ts` source (NodeNext style) must name the file that exists.
        const file = existsSync(target) ? target : target.replace(/\.js$/, '.ts');
        return { path: pathToFileURL(file).href, external: true };
      });
    },
  };
}

/** `import.meta.url`, `__dirname` and friends name each bundled file's own location, not the temporary bundle's. */
function fileLocationShims(): Plugin {
  return {
    name: 'groundwork-file-location',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const url = pathToFileURL(args.path).href;
        const prelude =
          `const __gw_url = ${JSON.stringify(url)}, __gw_file = ${JSON.stringify(args.path)}, ` +
          `__gw_dir = ${JSON.stringify(dirname(args.path))};`;
        const source = readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', '__gw_url')
          .replaceAll('import.meta.dirname', '__gw_dir')
          .replaceAll('import.meta.filename', '__gw_file');
        // CommonJS-style names, unless the file declares them itself (the usual ESM idiom).
        const cjs = ['__dirname', '__filename']
          .filter((name) => new RegExp(`\\b${name}\\b`).test(source) && !new RegExp(`\\b(const|let|var)\\s+${name}\\b`).test(source))
          .map((name) => `const ${name} = ${name === '__dirname' ? '__gw_dir' : '__gw_file'};`)
          .join('');
        return { contents: `${prelude}${cjs}\n${source}`, loader: loaderFor(args.path), resolveDir: dirname(args.path) };
      });
    },
  };
}

function loaderFor(path: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  if (/\.[cm]?tsx$/.test(path)) return 'tsx';
  if (/\.[cm]?ts$/.test(path)) return 'ts';
  return path.endsWith('x') ? 'jsx' : 'js';
}

let root: string | undefined;
function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'groundwork')
      return (root = dir);
    const up = dirname(dir);
    if (up === dir) return (root = dirname(fileURLToPath(import.meta.url)));
    dir = up;
  }
}

function firstBuildError(error: unknown, base: string): string {
  const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
  const first = errors?.[0];
  if (!first) return (error as Error).message;
  return first.location
    ? `${first.text} (${resolve(base, first.location.file)}:${first.location.line}:${first.location.column})`
    : first.text;
}
