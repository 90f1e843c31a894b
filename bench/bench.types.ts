/** One figure a benchmark prints. */
export interface BenchRow {
  name: string;
  value: number | string;
  unit: string;
  note?: string;
}

/** A benchmark module (`bench/<name>.bench.ts`) exports `run`; `npm run bench` finds it by its file name. */
export type BenchRun = (args?: string[]) => Promise<BenchRow[]>;
