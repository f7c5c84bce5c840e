import type { CliIo } from '../io.js';

/** The io of a task run with --json: its human lines go to stderr, stdout carries only NDJSON. */
export function jsonIo(io: CliIo): CliIo {
  return { ...io, out: io.err, ndjson: io.out };
}
