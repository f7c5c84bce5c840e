import type { ValueSnapshot } from '../serialize/codec.js';
import { deserializePlain } from '../serialize/plain.js';
import { StepState, type GroupRecord } from '../state/types.js';

// Outputs are what a group's last step returned, which the state already
// holds; no class is needed to show them. Keys always stay (they are names,
// e.g. a Machines output's `keyName`); a value under a secret-sounding key, or
// one that holds private key text, is shown as REDACTED in case a provisioner
// returned one.
export const REDACTED = '(redacted)';
const SECRET_KEY = /passw(or)?d|passphrase|secret|token|credential|private[-_]?key|api[-_]?key/i;
const PRIVATE_KEY_TEXT = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** The group's final output as JSON data, or undefined if its last step is not done. */
export function groupOutput(record: GroupRecord): unknown {
  const last = record.steps[record.steps.length - 1];
  if (last?.state !== StepState.Done || !last.output) return undefined;
  return redact(jsonOf(last.output));
}

// A snapshot that needs superjson (a Date, a Map, a registered class) is shown
// through its JSON part, which is what superjson stores for it anyway.
function jsonOf(snapshot: ValueSnapshot): unknown {
  const plain = deserializePlain(snapshot);
  return plain ? plain.value : structuredClone(snapshot.json);
}

function redact(value: unknown): unknown {
  if (typeof value === 'string') return PRIVATE_KEY_TEXT.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== null ? REDACTED : redact(v)]));
}
