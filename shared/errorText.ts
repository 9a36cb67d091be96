/** The first line of an error's message (or of the value itself), trimmed, cut with an ellipsis past `maxLength` characters. */
export function firstLine(error: unknown, maxLength = 200): string {
  const message = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : String(error);
  const line = (message.split('\n')[0] ?? '').trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** One line for stderr; the stack only when LOG_LEVEL=debug. */
export function describeError(error: unknown, env: Record<string, string | undefined> = process.env): string {
  if (env.LOG_LEVEL?.toLowerCase() === 'debug' && error instanceof Error && error.stack) return error.stack;
  return firstLine(error, Number.POSITIVE_INFINITY);
}
