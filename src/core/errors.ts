/**
 * A failure the user can act on: what went wrong and how to fix it. Front ends print these without a
 * stack trace; anything else is a bug and keeps its trace.
 */
export class UserError extends Error {
  readonly fix: string | undefined;
  readonly exitCode: number;
  readonly code: string;

  constructor(message: string, opts: { fix?: string; exitCode?: number; code?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UserError';
    this.fix = opts.fix;
    this.exitCode = opts.exitCode ?? 1;
    this.code = opts.code ?? 'error';
  }
}

/** The command line or an answers file is wrong: exit 2, as usage errors conventionally do. */
export class UsageError extends UserError {
  constructor(message: string, fix?: string) {
    super(message, { fix, exitCode: 2, code: 'usage' });
    this.name = 'UsageError';
  }
}

export function describeError(error: unknown): { message: string; fix?: string } {
  if (error instanceof UserError) return { message: error.message, fix: error.fix };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
