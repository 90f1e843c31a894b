/**
 * A plain-text table: each column as wide as its widest cell (header included), two spaces between
 * columns, no trailing spaces. Widths count characters (code points), so Cyrillic names line up too.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const len = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - len(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
