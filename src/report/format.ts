/** Number formatting for the page (kept apart from the CLI's so the report layer stands alone). */

export function fmtFlops(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return 'not recorded';
  const units: Array<[number, string]> = [
    [1e15, 'PFLOP'],
    [1e12, 'TFLOP'],
    [1e9, 'GFLOP'],
    [1e6, 'MFLOP'],
  ];
  for (const [scale, unit] of units) if (f >= scale) return `${(f / scale).toFixed(2)} ${unit}`;
  return `${f.toFixed(0)} FLOP`;
}

export function fmtPct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;
}

export function fmtSeconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

export function fmtTime(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? new Date(v).toISOString() : 'not recorded';
}
