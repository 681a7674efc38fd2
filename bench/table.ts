// Prints benchmark rows as one markdown table.
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
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
