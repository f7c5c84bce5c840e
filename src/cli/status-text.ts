import type { StatusReport } from '../scheduler/status.js';

/** Human-readable status: one block per group, the report() lines of each step; with `verbose`, error stacks. */
export function formatStatus(report: StatusReport, options: { verbose?: boolean } = {}): string {
  const lines = [`State: ${report.stateFile}`];
  if (report.groups.length === 0) return `${lines[0]}\nNo groups in the state.\n`;
  for (const g of report.groups) {
    const took = g.durationMs === null ? '' : `  ${(g.durationMs / 1000).toFixed(1)} s`;
    const deps = g.dependsOn.length > 0 ? `  (after ${g.dependsOn.join(', ')})` : '';
    lines.push(`${g.name}: ${g.state}${took}${deps}`);
    if (g.error) lines.push(`  error: ${g.error}`);
    for (const s of g.steps) {
      const recorded = s.reportFrom === 'recorded' ? '  (report as last recorded: its class is not registered here)' : '';
      const by = s.worker ? `  (worker ${s.worker})` : '';
      lines.push(`  [${s.index + 1}] ${s.provisioner} — ${s.state}${by}${recorded}`);
      for (const r of s.report) lines.push(`      ${r}`);
      if (options.verbose && s.stack) lines.push(...indent(s.stack));
    }
  }
  return `${lines.join('\n')}\n`;
}


function indent(stack: string): string[] {
  return stack.split('\n').map((l) => `      ${l}`);
}
