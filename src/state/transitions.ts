import { TransitionError } from '../errors.js';
import { GroupState, StepState } from './types.js';

// Re-entering `provisioning`/`deprovisioning` is how an interrupted run resumes.
const GROUP_MOVES: Record<GroupState, readonly GroupState[]> = {
  [GroupState.Pending]: [GroupState.Provisioning, GroupState.Blocked, GroupState.Deprovisioning],
  [GroupState.Provisioning]: [
    GroupState.Pending, // stopped gracefully between steps
    GroupState.Provisioning,
    GroupState.Provisioned,
    GroupState.Failed,
    GroupState.Blocked,
    GroupState.Deprovisioning,
  ],
  [GroupState.Provisioned]: [GroupState.Deprovisioning],
  [GroupState.Failed]: [GroupState.Pending, GroupState.Provisioning, GroupState.Blocked, GroupState.Deprovisioning],
  [GroupState.Blocked]: [GroupState.Pending, GroupState.Provisioning, GroupState.Blocked, GroupState.Deprovisioning],
  [GroupState.Deprovisioning]: [GroupState.Deprovisioning, GroupState.Failed],
};

const STEP_MOVES: Record<StepState, readonly StepState[]> = {
  [StepState.Pending]: [StepState.Running],
  [StepState.Running]: [StepState.Running, StepState.Done, StepState.Failed, StepState.Stopping],
  [StepState.Done]: [StepState.Stopping],
  [StepState.Failed]: [StepState.Running, StepState.Stopping],
  [StepState.Stopping]: [StepState.Stopping, StepState.Stopped, StepState.StopFailed],
  [StepState.Stopped]: [StepState.Running],
  [StepState.StopFailed]: [StepState.Running, StepState.Stopping],
};

export function assertGroupMove(group: string, from: GroupState, to: GroupState): void {
  if (!GROUP_MOVES[from].includes(to)) throw new TransitionError(`Group "${group}"`, from, to, group);
}

export function assertStepMove(group: string, step: number, from: StepState, to: StepState): void {
  if (!STEP_MOVES[from].includes(to)) throw new TransitionError(`Group "${group}" step ${step + 1}`, from, to, group);
}

/** Steps that were started and may have created something, so they need a shutdown. */
export function needsShutdown(state: StepState): boolean {
  return state !== StepState.Pending && state !== StepState.Stopped;
}

/** Index of the first step that is not done: where a (resumed) run starts. */
export function resumeIndex(states: readonly StepState[]): number {
  const i = states.findIndex((s) => s !== StepState.Done);
  return i === -1 ? states.length : i;
}
