import { PluginError } from '../errors.js';
import { FieldType, noParameters, type FieldSpec, type PluginParameters } from './parameters.js';
import type { PluginKind } from './registry.js';
import { isRecord } from './result.js';

/** One plugin type declared by a descriptor file. */
export interface DescriptorEntry {
  type: string;
  kind: PluginKind;
  /** Exactly one of classname / executable. */
  classname?: string;
  /** Relative to the descriptor's folder. */
  executable?: string;
  description?: string;
  parameters: PluginParameters;
}

const LIST_OF: Record<PluginKind, string> = { provider: 'providertypes', automator: 'automatortypes' };
const TYPE_NAME = /^[A-Za-z0-9._-]+$/;
const FIELD_TYPES: readonly string[] = Object.values(FieldType);

/**
 * Parses a descriptor in either form, for plugins of `kind` (from its folder):
 * Loom's `{ "<type>": { "classname": "X" } }`, or Coopr's `{ name, description,
 * providertypes|automatortypes: [...], <type>: { classname | executable, parameters } }`.
 * Every message names the file and the field.
 */
export function parseDescriptor(file: string, text: string, kind: PluginKind): DescriptorEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PluginError(file, `Plugin descriptor ${file} is not valid JSON (${(error as Error).message}); fix the file.`, error);
  }
  const fail = (field: string, what: string): never => {
    const named = field.startsWith('the ') || field.startsWith('type ') ? field : JSON.stringify(field);
    throw new PluginError(file, `Plugin descriptor ${file}: ${named} ${what}.`);
  };
  if (!isRecord(json)) return fail('the top level', `must be an object, got ${describe(json)}`);
  const list = LIST_OF[kind];
  const other = LIST_OF[kind === 'provider' ? 'automator' : 'provider'];
  if (other in json)
    fail(other, `is not allowed in a ${kind}s/ folder (move the plugin to ${other.replace('types', 's')}/ or use "${list}")`);

  let types: string[];
  let description: string | undefined;
  if (list in json) {
    const declared = json[list];
    if (!Array.isArray(declared) || declared.length === 0 || !declared.every((t) => typeof t === 'string')) {
      return fail(list, `must be a non-empty array of type names, got ${describe(declared)}`);
    }
    types = declared as string[];
    if (json.description !== undefined && typeof json.description !== 'string')
      fail('description', `must be a string, got ${describe(json.description)}`);
    description = json.description as string | undefined;
  } else {
    types = Object.keys(json);
    if (types.length === 0) fail('the top level', `declares no plugin: expected { "<type>": { "classname": "…" } } or "${list}": [...]`);
  }
  return types.map((type) => {
    if (!TYPE_NAME.test(type)) fail(`type ${JSON.stringify(type)}`, `is not a valid name (letters, digits, '.', '_', '-')`);
    const entry = json[type];
    if (!isRecord(entry)) return fail(type, `must be an object with "classname" or "executable", got ${describe(entry)}`);
    const hasClass = entry.classname !== undefined;
    const hasExe = entry.executable !== undefined;
    if (hasClass === hasExe)
      fail(
        type,
        hasClass
          ? 'names both "classname" and "executable"; keep one'
          : 'needs "classname" (a class exported by a module beside it) or "executable"',
      );
    if (hasClass && (typeof entry.classname !== 'string' || entry.classname === ''))
      fail(`${type}.classname`, `must be a non-empty string, got ${describe(entry.classname)}`);
    if (hasExe && (typeof entry.executable !== 'string' || entry.executable === ''))
      fail(`${type}.executable`, `must be a non-empty string, got ${describe(entry.executable)}`);
    if (entry.description !== undefined && typeof entry.description !== 'string') fail(`${type}.description`, `must be a string`);
    const out: DescriptorEntry = { type, kind, parameters: parseParameters(entry.parameters, `${type}.parameters`, fail) };
    if (hasClass) out.classname = entry.classname as string;
    else out.executable = entry.executable as string;
    const desc = (entry.description as string | undefined) ?? description;
    if (desc !== undefined) out.description = desc;
    return out;
  });
}

function parseParameters(value: unknown, at: string, fail: (field: string, what: string) => never): PluginParameters {
  const params = noParameters();
  if (value === undefined) return params;
  if (!isRecord(value)) return fail(at, `must be an object with "admin" and/or "user", got ${describe(value)}`);
  for (const [scope, group] of Object.entries(value)) {
    const here = `${at}.${scope}`;
    if (scope !== 'admin' && scope !== 'user') fail(here, 'is not allowed: use "admin" or "user"');
    if (!isRecord(group)) return fail(here, `must be an object with "fields"`);
    const fields = group.fields ?? {};
    if (!isRecord(fields)) return fail(`${here}.fields`, `must be an object, got ${describe(fields)}`);
    for (const [name, spec] of Object.entries(fields)) {
      const f = `${here}.fields.${name}`;
      if (name in params.fields) fail(f, 'is declared in both admin and user; keep one');
      params.fields[name] = parseField(spec, scope as 'admin' | 'user', f, fail);
    }
    const required = group.required ?? [];
    const r = `${here}.required`;
    if (!Array.isArray(required) || !required.every((set) => Array.isArray(set) && set.every((x) => typeof x === 'string'))) {
      fail(r, `must be a list of lists of field names, e.g. [["user", "password"]], got ${describe(required)}`);
    }
    params.required.push(...(required as string[][]));
  }
  for (const name of params.required.flat())
    if (!(name in params.fields)) fail(`${at}.*.required`, `names field "${name}", which is not declared`);
  return params;
}

function parseField(spec: unknown, scope: 'admin' | 'user', at: string, fail: (field: string, what: string) => never): FieldSpec {
  if (!isRecord(spec)) return fail(at, `must be an object, got ${describe(spec)}`);
  const type = spec.type ?? FieldType.Text;
  if (typeof type !== 'string' || !FIELD_TYPES.includes(type))
    fail(`${at}.type`, `is ${describe(type)}; expected one of ${FIELD_TYPES.join(', ')}`);
  const out: FieldSpec = { scope, type: type as FieldType };
  for (const key of ['label', 'tip'] as const) {
    if (spec[key] === undefined) continue;
    if (typeof spec[key] !== 'string') fail(`${at}.${key}`, `must be a string, got ${describe(spec[key])}`);
    out[key] = spec[key] as string;
  }
  if (spec.options !== undefined || type === FieldType.Select) {
    const options = spec.options;
    if (!Array.isArray(options) || options.length === 0 || !options.every((o) => typeof o === 'string')) {
      fail(
        `${at}.options`,
        `must be a non-empty array of strings${type === FieldType.Select ? ' for a select field' : ''}, got ${describe(options)}`,
      );
    }
    out.options = options as string[];
  }
  if (spec.default !== undefined) {
    if (type === FieldType.Password) fail(`${at}.default`, 'is not allowed on a password field (it would be a secret in the descriptor)');
    if (type === FieldType.Select && !out.options!.includes(String(spec.default)))
      fail(`${at}.default`, `is ${describe(spec.default)}, not one of its options`);
    out.default = spec.default;
  }
  if (spec.override !== undefined) {
    if (typeof spec.override !== 'boolean') fail(`${at}.override`, `must be true or false, got ${describe(spec.override)}`);
    out.override = spec.override as boolean;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array ${JSON.stringify(value).slice(0, 60)}`;
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 60)}`;
}
