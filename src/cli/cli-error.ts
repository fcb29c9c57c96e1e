/**
 * @module cli/cli-error
 * How the command line fails: a usage error (unknown command or option, missing argument, bad value of a
 * flag) exits 2 with one line; a configuration or runtime error exits 1 with one line naming the config key
 * (`idp.store: …`); nothing ever prints a stack trace. Usage errors are TokenguardErrors too (the project's
 * one error type), told apart by their code.
 */
import { isTokenguardError, TokenguardError } from '../errors/tokenguard-error.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function usageError(message: string): TokenguardError {
  return new TokenguardError('invalidRequest', 'config_invalid', { detail: message });
}

/** The one line to print and the exit code of an error. */
export function describeFailure(error: unknown): { line: string; code: number } {
  if (isTokenguardError(error) && error.code === 'invalidRequest') {
    return { line: `usage error: ${error.detail ?? error.message}`, code: EXIT_USAGE };
  }
  if (isTokenguardError(error) && error.code === 'configInvalid') {
    return { line: `error: ${error.detail ?? error.message}`, code: EXIT_FAILURE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `error: ${message.split('\n')[0]}`, code: EXIT_FAILURE };
}
