import { ExponentialBackoff, noJitterGenerator, type GeneratorFn } from 'cockatiel';

/**
 * Cockatiel's exponential backoff with "equal jitter": each delay is drawn between half and all of
 * the exponential delay (capped at maxDelayMs), from an injectable source of randomness.
 */
export function jitterBackoff(initialDelayMs: number, maxDelayMs: number, random: () => number): ExponentialBackoff<number> {
  const generator: GeneratorFn<number> = (state, options) => {
    const [delay, next] = noJitterGenerator(state, options);
    return [Math.round(delay / 2 + (random() * delay) / 2), next];
  };
  return new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs, exponent: 2, generator });
}
