import { StateFileError } from '../errors.js';
import { restoreHint } from './previous-snapshot.js';
import { GroupState, READABLE_VERSIONS, StepState, type StateData } from './types.js';

const GROUP_STATES = new Set<string>(Object.values(GroupState));
const STEP_STATES = new Set<string>(Object.values(StepState));

/** Check a parsed state file's shape; the error names the file and the bad field. */
export function validateState(file: string, value: unknown): StateData {
  const fail = (what: string): never => {
    throw new StateFileError(file, `State file ${file} is not a Groundwork state: ${what}. It was left untouched; ${restoreHint(file)}.`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a JSON object at the top');
  const data = value as Record<string, unknown>;
  // No version at all is some other JSON file, not a state from another Groundwork.
  if (typeof data.version !== 'number') {
    const missing = [data.id === undefined ? '`id`' : '', data.version === undefined ? '`version`' : ''].filter(Boolean);
    throw new StateFileError(
      file,
      `${file} is not a Groundwork state file (${missing.length > 0 ? `no ${missing.join(' or ')}` : `\`version\` is ${JSON.stringify(data.version)}`}). ` +
        `It was left untouched; check that --state (or the config's stateFile) names the right file, or move it aside.`,
    );
  }
  if (!READABLE_VERSIONS.includes(data.version as number)) {
    throw new StateFileError(
      file,
      `State file ${file} has version ${JSON.stringify(data.version)}, but this Groundwork reads versions ${READABLE_VERSIONS.join(' and ')}. ` +
        `It was left untouched; use the Groundwork version that wrote it.`,
    );
  }
  if (typeof data.id !== 'string') fail(`\`id\` is ${JSON.stringify(data.id)}, expected a string`);
  if (typeof data.groups !== 'object' || data.groups === null) fail('`groups` is missing');
  for (const [name, raw] of Object.entries(data.groups as Record<string, unknown>)) {
    const g = raw as Record<string, unknown> | null;
    if (typeof g !== 'object' || g === null) fail(`\`groups.${name}\` is not an object`);
    if (g!.name !== name) fail(`\`groups.${name}.name\` is ${JSON.stringify(g!.name)}`);
    if (!GROUP_STATES.has(g!.state as string)) fail(`\`groups.${name}.state\` is ${JSON.stringify(g!.state)}`);
    if (!Array.isArray(g!.dependsOn)) fail(`\`groups.${name}.dependsOn\` is not an array`);
    if (!Array.isArray(g!.steps)) fail(`\`groups.${name}.steps\` is not an array`);
    for (const [i, step] of (g!.steps as Record<string, unknown>[]).entries()) {
      if (!STEP_STATES.has(step?.state as string)) fail(`\`groups.${name}.steps[${i}].state\` is ${JSON.stringify(step?.state)}`);
      const p = step.provisioner as Record<string, unknown> | undefined;
      if (typeof p?.class !== 'string' || typeof p.fields !== 'object') fail(`\`groups.${name}.steps[${i}].provisioner\` is malformed`);
    }
  }
  return value as StateData;
}
