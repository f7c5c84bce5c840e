import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of one file: where it is and what it names (the specifier as written). */
export interface ImportRef {
  /** Path relative to the src folder, with `/`. */
  file: string;
  specifier: string;
  /** `import type`, `export type … from`, or `import('…').T` in a type. */
  typeOnly: boolean;
}

/**
 * Every module specifier `text` refers to: static imports (also `import type`),
 * `export … from`, dynamic `import('…')` with a literal, and type-level
 * `import('…')`. Read from the syntax tree, so comments and strings do not count.
 */
export function importsOf(file: string, text: string): ImportRef[] {
  const key = `${file}\0${text}`;
  const cached = parsed.get(key);
  if (cached) return cached;
  const refs = parseImports(file, text);
  parsed.set(key, refs);
  return refs;
}

// Several checks walk the same files; parse each once.
const parsed = new Map<string, ImportRef[]>();

function parseImports(file: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean) => {
    if (node && ts.isStringLiteralLike(node)) refs.push({ file, specifier: node.text, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** The layer a file belongs to: its folder under src (`drivers/netns/ip.ts` → `drivers`), or a top-level file's name (`errors.ts` → `errors`). */
export function layerOf(file: string): string {
  const [first, ...rest] = file.split('/');
  return rest.length === 0 ? first!.replace(/\.[jt]s$/, '') : first!;
}

export interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/** Layer → layer edges of relative imports between files under src; `files` maps a src-relative path to its text. */
export function layerEdges(files: ReadonlyMap<string, string>): Edge[] {
  const edges: Edge[] = [];
  for (const [file, text] of files) {
    for (const ref of importsOf(file, text)) {
      if (!ref.specifier.startsWith('.')) continue; // a package or node: builtin
      const target = join(dirname(file), ref.specifier).split(sep).join('/');
      if (target.startsWith('..')) throw new Error(`${file} imports ${ref.specifier}, outside src/`);
      const from = layerOf(file);
      const to = layerOf(target);
      if (from !== to) edges.push({ from, to, file, specifier: ref.specifier });
    }
  }
  return edges;
}

/** The files `entry` loads at run time, itself included: relative imports followed, type-only ones skipped (they are erased). */
export function runtimeClosure(files: ReadonlyMap<string, string>, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = files.get(file);
    if (text === undefined) throw new Error(`no source for ${file}`);
    for (const ref of importsOf(file, text)) {
      if (ref.typeOnly || !ref.specifier.startsWith('.')) continue;
      visit(join(dirname(file), ref.specifier).split(sep).join('/').replace(/\.js$/, '.ts'));
    }
  };
  visit(entry);
  return seen;
}

/** The edges `allowed` (layer → layers it may import) does not list, one line each, naming the file and the import. */
export function disallowedEdges(edges: readonly Edge[], allowed: Readonly<Record<string, readonly string[]>>): string[] {
  return edges
    .filter((e) => !(allowed[e.from] ?? []).includes(e.to) && !(allowed['*'] ?? []).includes(e.to))
    .map((e) => `${e.from} → ${e.to}: src/${e.file} imports '${e.specifier}'`);
}

/** Every .ts file under `srcDir`, by src-relative path. */
export function readSources(srcDir: string): Map<string, string> {
  const root = resolve(srcDir);
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}

/** The names a module exports (`export { a, type B } from …`, `export const`, `export class`, …), and whether it has an `export *`. */
export function exportsOf(file: string, text: string): { names: string[]; star: boolean } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const names: string[] = [];
  let star = false;
  for (const node of source.statements) {
    if (ts.isExportDeclaration(node)) {
      if (!node.exportClause) star = true;
      else if (ts.isNamedExports(node.exportClause)) names.push(...node.exportClause.elements.map((e) => e.name.text));
      else star = true; // export * as ns
    } else if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const name = (node as ts.Node & { name?: ts.Identifier }).name;
      if (name && ts.isIdentifier(name)) names.push(name.text);
      if (ts.isVariableStatement(node))
        for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    }
  }
  return { names, star };
}
