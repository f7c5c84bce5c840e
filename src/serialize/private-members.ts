// `#private` members are invisible to reflection and are not restored on an
// object revived without its constructor, so we find them in the class source.
const STRINGS_AND_COMMENTS = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g;
const NATIVE_PRIVATE = /#([A-Za-z_$][\w$]*)/g;
// What TypeScript/esbuild emit when they lower `#x` for older targets.
const LOWERED_PRIVATE = /__private(?:Add|Get|Set|Method)\(\s*this\s*,\s*_([A-Za-z_$][\w$]*)/g;

/** Names of `#private` fields and methods declared by the class or its ancestors. */
export function privateMembers(Class: Function): string[] {
  const names = new Set<string>();
  for (let C: unknown = Class; typeof C === 'function' && C !== Function.prototype; C = Object.getPrototypeOf(C)) {
    const source = Function.prototype.toString.call(C);
    if (!source.startsWith('class')) continue;
    const code = source.replace(STRINGS_AND_COMMENTS, '""');
    for (const match of code.matchAll(NATIVE_PRIVATE)) names.add(`#${match[1]}`);
    for (const match of code.matchAll(LOWERED_PRIVATE)) names.add(`#${match[1]}`);
  }
  return [...names];
}
