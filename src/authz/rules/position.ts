/**
 * @module authz/rules/position
 * Where in a rule something went wrong, and the `configInvalid` error that says so. Rules are often
 * written as YAML block scalars spanning several lines, so a position past the first line names the
 * line too.
 */
import { configInvalid, type TokenguardError } from '../../errors/tokenguard-error.ts';

/** The rule being read, and the config key it came from (for the error's path). */
export interface RuleSource {
  readonly text: string;
  readonly path: string;
}

/** `column 17`, or `line 2, column 5` past the first line; columns and lines count from 1. */
export function describePosition(text: string, offset: number): string {
  // lastIndexOf clamps a negative start to 0 and would still look at text[0].
  const lineStart = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
  const column = offset - lineStart + 1;
  if (lineStart === 0) return `column ${column}`;
  let line = 1;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < lineStart;
    index = text.indexOf('\n', index + 1)
  ) {
    line++;
  }
  return `line ${line}, column ${column}`;
}

/** `configInvalid(path, "<message> at column N (<note>)")`. */
export function ruleError(
  source: RuleSource,
  offset: number,
  message: string,
  note?: string,
): TokenguardError {
  const where = describePosition(source.text, offset);
  return configInvalid(source.path, `${message} at ${where}${note === undefined ? '' : ` (${note})`}`);
}
