import type { StatusReport } from '../scheduler/status.js';

/** Human-readable status: one block per group, the report() lines of each step. */
export function formatStatus(report: StatusReport): string {
  const lines = [`State: ${report.stateFile}`];
  if (report.groups.length === 0) return `${lines[0]}\nNo groups in the state.\n`;
  for (const g of report.groups) {
    const took = g.durationMs === null ? '' : `  ${(g.durationMs / 1000).toFixed(1)} s`;
    const deps = g.dependsOn.length > 0 ? `  (after ${g.dependsOn.join(', ')})` : '';
    lines.push(`${g.name}: ${g.state}${took}${deps}`);
    if (g.error) lines.push(`  error: ${g.error}`);
    for (const s of g.steps) {
      lines.push(`  [${s.index + 1}] ${s.provisioner} — ${s.state}`);
      for (const r of s.report) lines.push(`      ${r}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
