const LEVELS = '▁▂▃▄▅▆▇█';

/** Terminal columns a sparkline may take; longer series are summed into wider steps. */
export const MAX_SPARKLINE_WIDTH = 48;

/** How many consecutive buckets each character of a series of `length` buckets stands for. */
export function bucketsPerCharacter(length: number, maxWidth = MAX_SPARKLINE_WIDTH): number {
  return Math.max(1, Math.ceil(length / maxWidth));
}

/** One character per step: ▁ for none, ▂ to █ in proportion to the series' largest step. */
export function sparkline(values: readonly number[], maxWidth = MAX_SPARKLINE_WIDTH): string {
  const step = bucketsPerCharacter(values.length, maxWidth);
  const steps: number[] = [];
  for (let index = 0; index < values.length; index += step) {
    steps.push(values.slice(index, index + step).reduce((sum, value) => sum + value, 0));
  }
  const peak = Math.max(0, ...steps);
  return steps.map((value) => (value <= 0 ? LEVELS[0] : LEVELS[Math.max(1, Math.ceil((value / peak) * 7))])).join('');
}
