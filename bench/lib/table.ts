// Prints a bench's figures as a Markdown table (so they paste into docs/performance.md as they are) and keeps
// score of the targets.

export type Cell = string | number;

function format(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  return Number.isInteger(cell) ? String(cell) : cell.toFixed(cell < 10 ? 2 : 0);
}

export function printTable(title: string, header: string[], rows: Cell[][]): void {
  const cells = [header, ...rows.map((row) => row.map(format))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of cells.slice(1)) console.log(line(row));
}

/** A target stated as a ratio: `at least` or `at most` the bound. */
export function verdict(ratio: number, bound: number, direction: 'at least' | 'at most'): 'PASS' | 'MISS' {
  return (direction === 'at least' ? ratio >= bound : ratio <= bound) ? 'PASS' : 'MISS';
}
