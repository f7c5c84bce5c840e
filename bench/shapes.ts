import type { GroupSpec } from '../src/index.js';
import { NoOp } from './noop.js';

export const SHAPES = ['flat', 'layers', 'chain'] as const;
export type Shape = (typeof SHAPES)[number];
export const STEPS = 3;
/** Groups per layer in the `layers` shape: each group depends on the one this many places before it. */
export const LAYER = 100;

export function groupName(i: number): string {
  return `g${i}`;
}

export function groups(n: number, shape: Shape): GroupSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    name: groupName(i),
    dependsOn: shape === 'flat' ? [] : shape === 'chain' ? (i === 0 ? [] : [groupName(i - 1)]) : i < LAYER ? [] : [groupName(i - LAYER)],
    provisioners: () => Array.from({ length: STEPS }, (_, s) => new NoOp(s)),
  }));
}
