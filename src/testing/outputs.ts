/**
 * The final outputs of the groups a test hook provisioned, by group name.
 * Augment it with your groups' output types, in the module you import the hook from:
 *
 * ```ts
 * declare module 'groundwork/vitest' {
 *   interface GroundworkOutputs { app: LocalServiceOutput }
 * }
 * ```
 * Groups not listed stay `unknown`.
 */
export interface GroundworkOutputs {
  [group: string]: unknown;
}
