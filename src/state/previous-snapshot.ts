import { existsSync } from 'node:fs';

/** The snapshot before the current one, kept at each snapshot write (DurableJsonFile `keepPrevious`). */
export const previousSnapshotPath = (stateFile: string): string => `${stateFile}.prev`;

/**
 * What to do about a damaged state file, naming the previous snapshot when
 * there is one. Its journal continues the damaged snapshot, so it must go
 * aside too, and the changes since the previous snapshot are lost.
 */
export function restoreHint(stateFile: string): string {
  const prev = previousSnapshotPath(stateFile);
  if (!existsSync(prev)) return `restore it from a backup of your own (there is no previous snapshot ${prev}) or move it aside`;
  return (
    `restore the previous snapshot ${prev} (copy it over ${stateFile} and move ${stateFile}.journal aside; ` +
    `what changed since that snapshot is then forgotten, so check \`status\` and \`reap\`), or move it aside`
  );
}
