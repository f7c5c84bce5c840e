/** An error's stack and those of its causes, for `-v` (a provisioner's own throw is usually the innermost cause). */
export function stackChain(error: unknown, indent = '    '): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && !seen.has(current) && depth < 10; depth++) {
    seen.add(current);
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    text.split('\n').forEach((line, i) => lines.push(`${indent}${depth > 0 && i === 0 ? 'caused by: ' : ''}${line}`));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}
