/**
 * Named error classes. Every error platewatch raises has a stable machine-readable `code`
 * (native errors keep the code the C++ core gave them) and passes its `cause` on.
 */
export class PlatewatchError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An image could not be read or decoded: empty, missing, not a file, truncated, not an image, too large. */
export class ImageInputError extends PlatewatchError {}

/** A model file is missing or cannot be loaded. */
export class ModelError extends PlatewatchError {}

/** The configuration file or an option is invalid; the message names the key and the value. */
export class ConfigError extends PlatewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG', message, options);
  }
}

/** An unexpected failure inside the native core. */
export class NativeError extends PlatewatchError {}

const IMAGE_CODES = new Set([
  'ERR_EMPTY_INPUT',
  'ERR_FILE_NOT_FOUND',
  'ERR_NOT_A_FILE',
  'ERR_IMAGE_DECODE',
  'ERR_IMAGE_TRUNCATED',
  'ERR_IMAGE_TOO_LARGE',
]);

/**
 * Turns an error rejected by the native addon into a named error class whose stack is the
 * caller's: native rejections are created on the event loop with no JavaScript frames.
 */
export function fromNative(err: unknown, callSite: Error): PlatewatchError | TypeError {
  if (err instanceof TypeError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'ERR_INTERNAL';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const Class = IMAGE_CODES.has(code) ? ImageInputError : code === 'ERR_MODEL' ? ModelError : NativeError;
  const out = new Class(code, message, { cause: err });
  const frames = (callSite.stack ?? '').split('\n').slice(1).join('\n');
  out.stack = `${out.name} [${code}]: ${message}\n${frames}`;
  return out;
}

/** No valid credentials: unknown user, wrong password, locked account, missing or expired token. */
export class AuthError extends PlatewatchError {}

/** Authenticated, but the user's role may not do this. */
export class ForbiddenError extends PlatewatchError {}

/** Refused by a clause of General Order 41-11 (missing reason or case number, prohibited category, ...). */
export class PolicyError extends PlatewatchError {}

/** A request or a record is malformed; the message names the field. */
export class InvalidInputError extends PlatewatchError {}

/** The named user, hit, request or case does not exist. */
export class NotFoundError extends PlatewatchError {}

/** The audit chain does not verify: a record was changed, removed or inserted. */
export class AuditIntegrityError extends PlatewatchError {}
