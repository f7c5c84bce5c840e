import { ConfigError, UnknownGroupError } from '../../errors.js';
import { groupOutput } from '../../scheduler/group-output.js';
import { ExitCode } from '../exit-codes.js';
import { readStateForDisplay } from '../read-state.js';
import type { TaskContext } from '../task-context.js';

/** One group's final output (what its last step returned), like Terraform's `output`. */
export async function output(ctx: TaskContext): Promise<number> {
  const { args, io } = ctx;
  const [name, ...rest] = args.groups;
  if (name === undefined || rest.length > 0) {
    throw new ConfigError(`\`output\` takes one group name, got ${args.groups.length === 0 ? 'none' : args.groups.join(' ')}.`);
  }
  const { file, data } = await readStateForDisplay(ctx);
  const record = data?.groups[name];
  if (!record) throw new UnknownGroupError(name, Object.keys(data?.groups ?? {}));
  const value = groupOutput(record);
  if (value === undefined) {
    io.err(`error: group "${name}" is ${record.state} in ${file}, so it has no output yet; run \`groundwork provision ${name}\` first.`);
    return ExitCode.Failed;
  }
  io.out(args.json ? JSON.stringify(value, null, 2) : formatOutput(value));
  return ExitCode.Ok;
}

// `key = value` lines; strings bare, anything else as JSON (indented when nested).
function formatOutput(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${show(value)}\n`;
  const lines = Object.entries(value).map(([k, v]) => `${k} = ${show(v)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '(empty output)\n';
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}
