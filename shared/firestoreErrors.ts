import { Status } from 'google-gax';

// The Firestore client reports gRPC status codes (google-gax's Status) on its errors.

function code(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** A create() whose document already exists. */
export function isAlreadyExists(error: unknown): boolean {
  return code(error) === Status.ALREADY_EXISTS;
}

/** A transaction Firestore aborted: lock timeout or contention, after the client library's own retries. */
export function isAborted(error: unknown): boolean {
  return code(error) === Status.ABORTED;
}

/** A request that did not end within its deadline. */
export function isDeadlineExceeded(error: unknown): boolean {
  return code(error) === Status.DEADLINE_EXCEEDED;
}

/** Firestore did not answer in time or could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return code(error) === Status.UNAVAILABLE || code(error) === Status.DEADLINE_EXCEEDED;
}

/** Firestore refused the caller's credentials or roles. */
export function isAccessDenied(error: unknown): boolean {
  return code(error) === Status.PERMISSION_DENIED || code(error) === Status.UNAUTHENTICATED;
}

/** A query whose composite index is missing or still building. */
export function isFailedPrecondition(error: unknown): boolean {
  return code(error) === Status.FAILED_PRECONDITION;
}
