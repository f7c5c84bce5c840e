// A plugin's declared fields, normalized from either descriptor form.

export const FieldType = { Text: 'text', Password: 'password', Select: 'select' } as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

export interface FieldSpec {
  /** Coopr's two audiences: admin fields are set once per provider/automator, user fields per cluster. */
  scope: 'admin' | 'user';
  type: FieldType;
  label?: string;
  tip?: string;
  /** For `select`: the allowed values. */
  options?: string[];
  default?: unknown;
  /** Coopr: whether a user may override an admin value. Kept for listing; Groundwork has one audience. */
  override?: boolean;
}

export interface PluginParameters {
  fields: Record<string, FieldSpec>;
  /** Coopr's `required: [[a, b], [c]]`: alternatives; the fields of at least one set must all be given. */
  required: string[][];
}

export function noParameters(): PluginParameters {
  return { fields: {}, required: [] };
}

/** A password (or any) field given by reference: resolved when the task runs, the reference is what is saved. */
export type SecretRef = { env: string } | { file: string };
