import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '../errors.js';
import { assertKeyName } from '../keys/key-store.js';
import type { Logger } from '../logger.js';
import { FieldType, type PluginParameters, type SecretRef } from './parameters.js';
import type { SecretSources } from './registry.js';
import { isRecord } from './result.js';

/**
 * Checks given field values against a plugin's parameters and applies defaults.
 * Unknown fields, a select value outside its options, a password given as
 * plain text (it would end up in the state file) and a required set with no
 * alternative complete are refused, naming the plugin's descriptor and the field.
 * Password fields stay references: the result is safe to store.
 */
export function resolveFields(
  parameters: PluginParameters,
  given: Record<string, unknown>,
  plugin: { name: string; descriptorFile: string },
): Record<string, unknown> {
  const where = `plugin "${plugin.name}" (${plugin.descriptorFile})`;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    const spec = parameters.fields[name];
    if (!spec) {
      const known = Object.keys(parameters.fields);
      throw new PluginError(
        plugin.descriptorFile,
        `Field "${name}" is not a parameter of ${where}; its fields: ${known.join(', ') || '(none)'}.`,
      );
    }
    if (spec.type === FieldType.Password) {
      if (!isSecretRef(value)) {
        throw new PluginError(
          plugin.descriptorFile,
          `Field "${name}" of ${where} is a password: give it as a reference, { env: 'VAR' } or { file: 'name' } (a file in a key folder), ` +
            `not as ${typeof value === 'string' ? 'plain text' : JSON.stringify(value)}, so the secret is never stored.`,
        );
      }
    } else if (spec.type === FieldType.Select && !(spec.options ?? []).includes(String(value))) {
      throw new PluginError(
        plugin.descriptorFile,
        `Field "${name}" of ${where} is ${JSON.stringify(value)}; expected one of ${(spec.options ?? []).map((o) => JSON.stringify(o)).join(', ')}.`,
      );
    }
    out[name] = value;
  }
  for (const [name, spec] of Object.entries(parameters.fields)) if (!(name in out) && spec.default !== undefined) out[name] = spec.default;
  const sets = parameters.required;
  if (sets.length > 0 && !sets.some((set) => set.every((f) => out[f] !== undefined && out[f] !== ''))) {
    const missing = sets.map((set) => set.filter((f) => out[f] === undefined || out[f] === ''));
    const alternatives = missing.map((m) => m.join(' + ')).join(' or ');
    throw new PluginError(
      plugin.descriptorFile,
      `${where} needs field${missing.flat().length === 1 ? '' : 's'} ${alternatives}; set ${sets.length > 1 ? 'one of these' : 'it'} in its fields.`,
    );
  }
  return out;
}

export function isSecretRef(value: unknown): value is SecretRef {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 && ((keys[0] === 'env' && typeof value.env === 'string') || (keys[0] === 'file' && typeof value.file === 'string'))
  );
}

/** The secret behind a reference, looked up only now (when the task runs). Never logged. */
export async function resolveSecret(ref: SecretRef, field: string, sources: SecretSources, descriptorFile: string): Promise<string> {
  if ('env' in ref) {
    const value = (sources.env ?? process.env)[ref.env];
    if (value === undefined || value === '') {
      throw new PluginError(
        descriptorFile,
        `Password field "${field}" refers to environment variable ${ref.env}, which is not set; set it before running.`,
      );
    }
    return value;
  }
  assertKeyName(ref.file);
  for (const folder of sources.keyPaths ?? []) {
    try {
      return (await readFile(join(folder, ref.file), 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new PluginError(
          descriptorFile,
          `Cannot read password field "${field}" from ${join(folder, ref.file)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
        );
      }
    }
  }
  const places = (sources.keyPaths ?? []).map((f) => join(f, ref.file));
  throw new PluginError(
    descriptorFile,
    `Password field "${field}" refers to file "${ref.file}", not found in the key folders (${places.join(', ') || 'none configured'}); put it there or configure keyPaths.`,
  );
}

/** Resolves every password reference in `fields`; returns the values and the secrets (for redaction). */
export async function resolveSecrets(
  parameters: PluginParameters,
  fields: Record<string, unknown>,
  sources: SecretSources,
  descriptorFile: string,
): Promise<{ fields: Record<string, unknown>; secrets: string[] }> {
  const out = { ...fields };
  const secrets: string[] = [];
  for (const [name, spec] of Object.entries(parameters.fields)) {
    const value = fields[name];
    if (spec.type !== FieldType.Password || !isSecretRef(value)) continue;
    const secret = await resolveSecret(value, name, sources, descriptorFile);
    out[name] = secret;
    if (secret !== '') secrets.push(secret);
  }
  return { fields: out, secrets };
}

/** A safety net: a secret a plugin echoed into its output or result is replaced before anything is stored. */
export function redact<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const scrub = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce((s, secret) => s.split(secret).join('(redacted)'), v);
    if (Array.isArray(v)) return v.map(scrub);
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
  };
  return scrub(value) as T;
}

export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (secrets.length === 0) return logger;
  const r = (m: string) => redact(m, secrets);
  return {
    debug: (m, meta) => logger.debug(r(m), meta && redact(meta, secrets)),
    info: (m, meta) => logger.info(r(m), meta && redact(meta, secrets)),
    warn: (m, meta) => logger.warn(r(m), meta && redact(meta, secrets)),
    error: (m, meta) => logger.error(r(m), meta && redact(meta, secrets)),
  };
}
