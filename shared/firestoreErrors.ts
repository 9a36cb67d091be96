/** gRPC status codes the Firestore client reports on its errors. */
const ALREADY_EXISTS = 6;
const DEADLINE_EXCEEDED = 4;
const PERMISSION_DENIED = 7;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

function code(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** A create() whose document already exists. */
export function isAlreadyExists(error: unknown): boolean {
  return code(error) === ALREADY_EXISTS;
}

/** Firestore did not answer in time or could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return code(error) === UNAVAILABLE || code(error) === DEADLINE_EXCEEDED;
}

/** Firestore refused the caller's credentials or roles. */
export function isAccessDenied(error: unknown): boolean {
  return code(error) === PERMISSION_DENIED || code(error) === UNAUTHENTICATED;
}
