import { INSERT_ALL_ENVELOPE_BYTES } from '../bigQueryTable.js';

export interface RequestLimits {
  /** Bytes of one insert request, envelope included. */
  maxBytes: number;
  /** Rows of one insert request. */
  maxRows: number;
}

/**
 * BigQuery refuses an insertAll request over 10 MB (10,485,760 bytes) and recommends at most 500
 * rows: requests stay 1 MiB under the byte limit.
 */
export const INSERT_LIMITS: RequestLimits = { maxBytes: 9 * 1024 * 1024, maxRows: 500 };

export interface RequestPlan {
  /** Positions of the rows of each request, in order. */
  requests: number[][];
  /** Positions of the rows too large to go in any request. */
  tooLarge: number[];
}

/**
 * Groups rows, given by their size in bytes, into insert requests that stay under the limits,
 * keeping their order; a row that does not fit a request on its own is listed apart. Pure.
 */
export function planRequests(sizes: number[], limits: RequestLimits = INSERT_LIMITS, envelope = INSERT_ALL_ENVELOPE_BYTES): RequestPlan {
  const plan: RequestPlan = { requests: [], tooLarge: [] };
  let current: number[] = [];
  let bytes = envelope;
  sizes.forEach((size, index) => {
    if (envelope + size > limits.maxBytes) {
      plan.tooLarge.push(index);
      return;
    }
    const added = current.length === 0 ? size : size + 1; // the comma between rows
    if (current.length === limits.maxRows || bytes + added > limits.maxBytes) {
      plan.requests.push(current);
      current = [];
      bytes = envelope;
    }
    bytes += current.length === 0 ? size : size + 1;
    current.push(index);
  });
  if (current.length > 0) plan.requests.push(current);
  return plan;
}

/** The largest row a request can carry under these limits. */
export function largestRow(limits: RequestLimits = INSERT_LIMITS, envelope = INSERT_ALL_ENVELOPE_BYTES): number {
  return limits.maxBytes - envelope;
}
