// The shell scripts RemoteService runs on a machine. POSIX sh + coreutils + ps
// only: they must work on any machine the SSH driver reaches, not just netns ones.
import { shellQuote } from '../../transport/exec.js';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), empty when gone or a zombie. */
const START_FN =
  `start_of() { s=$(cat /proc/"$1"/stat 2>/dev/null) || return 0; s=\${s##*) }; ` +
  `case "$s" in Z*|X*) return 0;; esac; set -- $s; shift 19; echo "$1"; }\n`;

/** Does any non-zombie process remain in process group $1? (orphans may stay unreaped under some inits) */
const GROUP_FN = `group_alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }\n`;

export interface StartSpec {
  command: string;
  logFile: string;
  cwd: string | undefined;
  env: Record<string, string>;
  user: string | undefined;
}

/**
 * Start `command` in its own session and process group (setsid: the SSH
 * session ends, it stays), stdin from /dev/null and output to the log file
 * (opened by the login user, so a dropped `user` can still write it). Prints
 * `<pid> <start time>`. The background child of a non-interactive shell is no
 * group leader, so setsid execs in place and `$!` is the group's id.
 */
export function startScript(spec: StartSpec): string {
  const dir = spec.logFile.slice(0, spec.logFile.lastIndexOf('/')) || '/';
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const drop = spec.user
    ? `setpriv --reuid=${shellQuote(spec.user)} --regid=$(id -g ${shellQuote(spec.user)}) --init-groups env HOME=$(getent passwd ${shellQuote(spec.user)} | cut -d: -f6) `
    : '';
  const envPart = env.length ? `env ${env.join(' ')} ` : '';
  return (
    START_FN +
    `set -e\n` +
    (spec.user ? `id -u ${shellQuote(spec.user)} >/dev/null\n` : '') +
    `mkdir -p ${shellQuote(dir)}\n` +
    (spec.cwd ? `cd ${shellQuote(spec.cwd)}\n` : '') +
    `: > ${shellQuote(spec.logFile)}\n` +
    (spec.user ? `chown ${shellQuote(spec.user)} ${shellQuote(spec.logFile)}\n` : '') +
    `${envPart}setsid ${drop}sh -c ${shellQuote(spec.command)} </dev/null >>${shellQuote(spec.logFile)} 2>&1 &\n` +
    `pid=$!\n` +
    `echo "$pid $(start_of "$pid")"\n`
  );
}

/** Prints `alive` when pid has the same start time, else `gone`. */
export function aliveScript(pid: number, startTime: number): string {
  return `${START_FN}[ "$(start_of ${pid})" = "${startTime}" ] && echo alive || echo gone\n`;
}

/**
 * TERM the process group (only if its leader is still ours, or already gone
 * but the group lingers), wait up to graceMs, then KILL. Prints `not-running`,
 * `stopped` or `killed`; exits 3 if the group outlives KILL by 5 s.
 */
export function stopScript(pid: number, startTime: number, graceMs: number): string {
  const ticks = Math.max(1, Math.ceil(graceMs / 50));
  return (
    START_FN +
    GROUP_FN +
    `now=$(start_of ${pid})\n` +
    `if [ -n "$now" ] && [ "$now" != "${startTime}" ]; then echo not-running; exit 0; fi\n` + // pid reused by another process
    `group_alive ${pid} || { echo not-running; exit 0; }\n` +
    `kill -TERM -- -${pid} 2>/dev/null || true\n` +
    `i=0; while [ $i -lt ${ticks} ] && group_alive ${pid}; do sleep 0.05; i=$((i+1)); done\n` +
    `group_alive ${pid} || { echo stopped; exit 0; }\n` +
    `kill -KILL -- -${pid} 2>/dev/null || true\n` +
    `i=0; while [ $i -lt 100 ] && group_alive ${pid}; do sleep 0.05; i=$((i+1)); done\n` +
    `group_alive ${pid} && exit 3\n` +
    `echo killed\n`
  );
}

/** The last `lines` lines of a file; nothing if it is missing. */
export function tailScript(file: string, lines = 20): string {
  return `tail -n ${lines} ${shellQuote(file)} 2>/dev/null || true\n`;
}

/** Remove the log, then its machine and state folders if nothing else is left in them. */
export function removeLogScript(file: string): string {
  const machineDir = file.slice(0, file.lastIndexOf('/'));
  const stateDir = machineDir.slice(0, machineDir.lastIndexOf('/'));
  return `rm -f ${shellQuote(file)}; rmdir ${shellQuote(machineDir)} 2>/dev/null; rmdir ${shellQuote(stateDir)} 2>/dev/null; true\n`;
}
