// Prints benchmark rows as one markdown table, and the sample statistics both benchmarks use.
export interface Row {
  readonly case: string;
  readonly erlgun: string;
  readonly anchor: string;
  readonly ratio: string;
  readonly note: string;
}

export function printTable(title: string, anchorName: string, rows: readonly Row[]): void {
  const header = ['case', 'erlgun', anchorName, 'ratio', 'note'];
  const cells = rows.map((r) => [r.case, r.erlgun, r.anchor, r.ratio, r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

export const fmt = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The median, quartiles and range of repeated measurements. */
export interface Sample {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

export function sampleOf(xs: readonly number[]): Sample {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.floor((sorted.length - 1) * q)];
  return { median: sorted[Math.floor(sorted.length / 2)], p25: at(0.25), p75: at(0.75), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Half the range over the median, as a percentage: how much the runs disagreed. */
export const spread = (s: Sample): string => `±${fmt(((s.max - s.min) / 2 / Math.abs(s.median)) * 100, 0)}%`;
