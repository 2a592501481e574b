/**
 * One error type with stable codes. The codes are MLflow's `ErrorCode` names so the REST door can pass them through
 * unchanged; `httpStatusFor` is MLflow's own mapping (reference/mlflow.md §1.1).
 * Errors cross worker and network boundaries as plain `{ code, message, details }` (see `toWire`/`fromWire`).
 */
export const ERROR_CODES = [
  'INVALID_PARAMETER_VALUE',
  'BAD_REQUEST',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_CONFLICT',
  'ABORTED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'RESOURCE_DOES_NOT_EXIST',
  'ENDPOINT_NOT_FOUND',
  'REQUEST_LIMIT_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'INTERNAL_ERROR',
  'INVALID_STATE',
  'DATA_LOSS',
  'NOT_IMPLEMENTED',
  'TEMPORARILY_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const STATUS: Record<ErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_CONFLICT: 409,
  ABORTED: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code];
}

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class CairnError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CairnError';
    this.code = code;
    this.details = details;
  }

  toWire(): WireError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v);
}

/** Any thrown value → the wire shape. Unknown throws are bugs: they become INTERNAL_ERROR with their message. */
export function toWire(err: unknown): WireError {
  if (err instanceof CairnError) return err.toWire();
  if (err && typeof err === 'object' && isErrorCode((err as { code?: unknown }).code)) {
    const e = err as WireError;
    return { code: e.code, message: String(e.message ?? e.code), ...(e.details ? { details: e.details } : {}) };
  }
  return { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) };
}

/** What a status means when the body is not the JSON error shape (a proxy's page, an empty body). */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'RESOURCE_DOES_NOT_EXIST';
  if (status === 409) return 'RESOURCE_CONFLICT';
  if (status === 413 || status === 429) return 'REQUEST_LIMIT_EXCEEDED';
  if (status === 501) return 'NOT_IMPLEMENTED';
  if (status >= 500) return 'TEMPORARILY_UNAVAILABLE';
  return 'BAD_REQUEST';
}

/**
 * The one reader of an HTTP error answer (the relay's and MLflow's `{error_code, message, details?}`) into a
 * CairnError; `details.status` keeps the HTTP status. A body of another shape falls back on `codeForStatus`.
 */
export async function errorFromResponse(res: { status: number; json(): Promise<unknown> }, what: string): Promise<CairnError> {
  let body: { error_code?: unknown; message?: unknown; details?: unknown } = {};
  try {
    const parsed = await res.json();
    if (parsed && typeof parsed === 'object') body = parsed as typeof body;
  } catch {
    // not JSON: the status decides
  }
  const code = isErrorCode(body.error_code) ? body.error_code : codeForStatus(res.status);
  const message = typeof body.message === 'string' ? `${what}: ${body.message}` : `${what}: the relay answered ${res.status}`;
  const details = body.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : {};
  return new CairnError(code, message, { ...details, status: res.status });
}

export function fromWire(w: WireError): CairnError {
  return new CairnError(w.code, w.message, w.details);
}

export const invalid = (message: string, details?: Record<string, unknown>) =>
  new CairnError('INVALID_PARAMETER_VALUE', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new CairnError('RESOURCE_DOES_NOT_EXIST', message, details);
export const alreadyExists = (message: string, details?: Record<string, unknown>) =>
  new CairnError('RESOURCE_ALREADY_EXISTS', message, details);
