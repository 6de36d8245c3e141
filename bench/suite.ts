// What the runner needs of a benchmark: a name for BENCH_ONLY, a title, and a run that ends in Markdown.
// Each benchmark module keeps its own typed result; defineSuite() joins its run and its rendering.
import type { BenchSettings } from './settings';

export interface Suite {
  name: string;
  title: string;
  /** Runs the benchmark and renders its section of the report. */
  execute(settings: BenchSettings): Promise<string>;
}

export function defineSuite<R>(definition: {
  name: string;
  title: string;
  run(settings: BenchSettings): Promise<R>;
  render(result: R, settings: BenchSettings): string;
}): Suite {
  return {
    name: definition.name,
    title: definition.title,
    execute: async (settings) => definition.render(await definition.run(settings), settings),
  };
}

/** A Markdown table. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
