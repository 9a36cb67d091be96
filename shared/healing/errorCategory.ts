import { Status } from 'google-gax';

/**
 * A stable root-cause category for an error, so events of one cause group together in alerts and
 * in analyze-healing: an HTTP status as `HTTP 503` (from `status`, `statusCode` or
 * `response.status`), else the error's code (`ECONNRESET`, `ETIMEDOUT`, a gRPC name such as
 * `UNAVAILABLE`), else an HTTP status named in the message (after `HTTP`, `HTTP/1.1`, `status`,
 * `code` or `returned`), else the same for the error's cause, else the error's name.
 * A structured HTTP status comes before the code because HTTP clients put a generic code beside
 * it (axios: `ERR_BAD_RESPONSE` with `response.status` 503).
 */
export function errorCategory(error: unknown): string {
  for (let current = error, depth = 0; depth < MAX_CAUSE_DEPTH; current = causeOf(current), depth += 1) {
    if (!isObject(current)) break;
    const category = statusCategory(current) ?? codeCategory(current.code) ?? messageCategory(current.message);
    if (category !== undefined) return category;
  }
  const name = errorName(error);
  if (name !== undefined) return name;
  return typeof error === 'string' ? (messageCategory(error) ?? 'thrown_string') : 'unknown_error';
}

const MAX_CAUSE_DEPTH = 4;

const SYMBOLIC_CODE = /^[A-Z][A-Z0-9_]*$/;
const MESSAGE_STATUS = /\b(?:HTTP(?:\/\d(?:\.\d)?)?|status|code|returned)\s*:?\s*([1-5]\d\d)\b/i;

type ErrorLike = { code?: unknown; status?: unknown; statusCode?: unknown; response?: unknown; message?: unknown; name?: unknown; cause?: unknown };

function isObject(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null;
}

/** `name`, or the class name when `name` is the generic `Error` a subclass inherited. */
function errorName(error: unknown): string | undefined {
  if (!isObject(error)) return undefined;
  const name = typeof error.name === 'string' ? error.name.trim() : '';
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if ((name === '' || name === 'Error') && typeof className === 'string' && className !== '' && className !== 'Object') return className;
  return name === '' ? undefined : name;
}

function causeOf(error: unknown): unknown {
  return isObject(error) ? error.cause : undefined;
}

function httpStatus(value: unknown): number | undefined {
  const status = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

function statusCategory(error: ErrorLike): string | undefined {
  const response = isObject(error.response) ? (error.response as { status?: unknown; statusCode?: unknown }) : {};
  const status = httpStatus(error.status) ?? httpStatus(error.statusCode) ?? httpStatus(response.status) ?? httpStatus(response.statusCode);
  return status === undefined ? undefined : `HTTP ${status}`;
}

function codeCategory(code: unknown): string | undefined {
  if (typeof code === 'number' && Number.isInteger(code)) {
    const grpcName = Status[code];
    if (grpcName !== undefined) return grpcName;
    const status = httpStatus(code);
    return status === undefined ? undefined : `HTTP ${status}`;
  }
  if (typeof code !== 'string') return undefined;
  const status = httpStatus(code);
  if (status !== undefined) return `HTTP ${status}`;
  return SYMBOLIC_CODE.test(code) ? code : undefined;
}

function messageCategory(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  const match = MESSAGE_STATUS.exec(message);
  return match ? `HTTP ${match[1]}` : undefined;
}
