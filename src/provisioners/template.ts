import { ConfigError } from '../errors.js';

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/**
 * Fill `{{path}}` placeholders (e.g. `{{dependencies.db.port}}`, `{{input.url}}`)
 * from `vars`. Templates keep provisioner options plain, serializable strings
 * while still reaching values known only at startup.
 */
export function render(template: string, vars: Record<string, unknown>, field: string): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    let value: unknown = vars;
    for (const key of path.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (value === undefined || value === null || typeof value === 'object') {
      throw new ConfigError(
        `\`${field}\`: placeholder {{${path}}} is ${value === undefined ? 'undefined' : 'not a plain value'}; ` +
          `available: ${describeKeys(vars)}.`,
      );
    }
    return String(value);
  });
}

export function renderAll(templates: readonly string[], vars: Record<string, unknown>, field: string): string[] {
  return templates.map((t, i) => render(t, vars, `${field}[${i}]`));
}

export function renderEnv(env: Record<string, string>, vars: Record<string, unknown>, field: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, render(v, vars, `${field}.${k}`)]));
}

function describeKeys(vars: Record<string, unknown>, prefix = '', depth = 0): string {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && depth < 2) keys.push(describeKeys(v as Record<string, unknown>, path, depth + 1));
    else keys.push(path);
  }
  return keys.filter(Boolean).join(', ') || '(none)';
}
