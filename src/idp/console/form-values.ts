/**
 * @module idp/console/form-values
 * Reading the console's HTML forms into declaration inputs, and turning a rejected declaration into
 * messages beside the fields that caused them. Forms are validated by the very schemas the config file
 * and the CLI use (`idp/config/schema`), so a record made in the console is the record a config entry or
 * `tokenguard idp clients add` would make; this module only translates between form fields and schema keys.
 */
import type { z } from 'zod';
import type { AccessPolicy } from '../model.ts';

/** A message about one form field (`field` is the input's name), shown beside it and in the summary. */
export interface FieldProblem {
  field: string;
  message: string;
}

export type FormResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Trimmed text of a field; empty when absent. */
export function text(form: URLSearchParams, name: string): string {
  return (form.get(name) ?? '').trim();
}

/** A checkbox: present (with any value) means checked (HTML forms send unchecked boxes not at all). */
export function checked(form: URLSearchParams, name: string): boolean {
  return form.has(name);
}

/** Non-empty lines of a textarea. */
export function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Space- or newline-separated words (scopes). */
export function words(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

/**
 * Access policies from a textarea, one `{rn, role}` pair per line written `namespace role` (seed 000's
 * `{"rn":"my_service","role":"admin"}` is `my_service admin`).
 */
export function parsePolicies(value: string, field: string): FormResult<AccessPolicy[]> {
  const policies: AccessPolicy[] = [];
  for (const [index, line] of lines(value).entries()) {
    const parts = line.split(/\s+/);
    if (parts.length !== 2) {
      return {
        ok: false,
        problems: [
          {
            field,
            message: `Line ${index + 1}: write a resource namespace and a role, e.g. "my_service admin".`,
          },
        ],
      };
    }
    policies.push({ rn: parts[0], role: parts[1] });
  }
  return { ok: true, value: policies };
}

/** Policies back as textarea text. */
export function formatPolicies(policies: readonly AccessPolicy[]): string {
  return policies
    .filter((policy) => policy.rn !== undefined || policy.role !== undefined)
    .map((policy) => `${policy.rn ?? ''} ${policy.role ?? ''}`.trim())
    .join('\n');
}

/**
 * Problems from a schema rejection: each issue goes to the form field its first path element maps to
 * (`fields`: schema key → field name), else to `fallback`. One message per field.
 */
export function problemsOf(
  issues: readonly z.core.$ZodIssue[],
  fields: Readonly<Record<string, string>>,
  fallback: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '');
    const field = fields[key] ?? fallback;
    if (problems.some((problem) => problem.field === field)) continue;
    const where = issue.path.length > 1 ? ` (item ${Number(issue.path[1]) + 1})` : '';
    problems.push({ field, message: `${issue.message}${where}` });
  }
  return problems;
}

/** The result of `schema.safeParse(input)` as a form result. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  fields: Readonly<Record<string, string>>,
  fallback: string,
): FormResult<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: problemsOf(parsed.error.issues, fields, fallback) };
}
