import { hasMessage, translate, type Locale } from '../i18n/index';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemOptions {
  /** Message key for `detail` (defaults to `problem.<CODE>.detail` when it exists). */
  detailKey?: string;
  params?: Record<string, unknown>;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra RFC 9457 members, e.g. `checks` on a failing readiness probe. */
  extensions?: Record<string, unknown>;
}

/** Generic code whose title (and detail) a specific code falls back to, by status. */
const FAMILY: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'INSUFFICIENT_PERMISSIONS',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The one error type of the API: thrown anywhere, rendered as RFC 9457 problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly options: ProblemOptions = {},
  ) {
    super(`${status} ${code}`);
    this.name = 'ProblemError';
  }
}

export const notFound = (code = 'NOT_FOUND', options?: ProblemOptions) => new ProblemError(404, code, options);
export const conflict = (code = 'CONFLICT', options?: ProblemOptions) => new ProblemError(409, code, options);
export const invalidStateTransition = (detailKey: string, params?: Record<string, unknown>) =>
  new ProblemError(409, 'INVALID_STATE_TRANSITION', { detailKey, params });
export const validationFailed = (errors: FieldError[]) => new ProblemError(422, 'VALIDATION_ERROR', { errors });

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: FieldError[];
  request_id: string;
  [extension: string]: unknown;
}

const kebab = (code: string) => code.toLowerCase().replace(/_/g, '-');

export function renderProblem(error: ProblemError, locale: Locale, requestId: string): ProblemBody {
  const family = FAMILY[error.status] ?? (error.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
  const params = { ...error.options.params, request_id: requestId };
  const titleKey = hasMessage(`problem.${error.code}.title`) ? `problem.${error.code}.title` : `problem.${family}.title`;
  const detailKey =
    error.options.detailKey ??
    [`problem.${error.code}.detail`, `problem.${family}.detail`].find((key) => hasMessage(key));
  const body: ProblemBody = {
    type: `https://deskbase.dev/problems/${kebab(error.code)}`,
    title: translate(locale, titleKey, params),
    status: error.status,
    code: error.code,
    request_id: requestId,
    ...error.options.extensions,
  };
  if (detailKey) body.detail = translate(locale, detailKey, params);
  if (error.options.errors) {
    body.errors = error.options.errors;
    if (!error.options.detailKey) {
      body.detail = error.options.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    }
  }
  return body;
}
