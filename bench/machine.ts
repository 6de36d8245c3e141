// Where and on what a report was measured: date, CPU, cores, memory, load, Node and the git commit.
import { execFileSync } from 'node:child_process';
import { cpus, getPriority, loadavg, totalmem } from 'node:os';

export interface Machine {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  commit: string;
  /** 1-minute load average: on a shared machine it says how noisy the numbers are. */
  loadAverage: number;
  /** The bench's niceness (its children inherit it): above 0, other work on the machine comes first. */
  niceness: number;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    date: new Date().toISOString(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: totalmem() / 2 ** 30,
    node: process.version,
    commit: `${git(['rev-parse', '--short=12', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`,
    loadAverage: loadavg()[0],
    niceness: getPriority(),
  };
}
