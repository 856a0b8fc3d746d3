import { z } from 'zod';
import { ApiError, type FieldError } from '../http/api-error';

/** `['split', 1, 'amount']` → `split[1].amount`, the way merchants write field paths. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || 'body';
}

function issueToFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        field: fieldPath([...issue.path, key]),
        code: 'unknown_field',
        message: 'unknown field',
      }));
    case 'invalid_type':
      return [
        issue.input === undefined
          ? { field: fieldPath(issue.path), code: 'required', message: 'is required' }
          : {
              field: fieldPath(issue.path),
              code: 'invalid_type',
              message: issue.message.startsWith('Invalid input')
                ? `must be ${describeType(issue.expected)}`
                : issue.message,
            },
      ];
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'invalid_value':
    case 'not_multiple_of':
      return [{ field: fieldPath(issue.path), code: issue.code, message: issue.message }];
    case 'custom':
      return [
        {
          field: fieldPath(issue.path),
          code: (issue.params?.code as string | undefined) ?? 'invalid',
          message: issue.message,
        },
      ];
    default:
      return [{ field: fieldPath(issue.path), code: 'invalid', message: issue.message }];
  }
}

function describeType(expected: string): string {
  const names: Record<string, string> = { object: 'an object', array: 'an array', int: 'an integer' };
  return names[expected] ?? `a ${expected}`;
}

/** Parses a request body (or query) against a schema; a failure is a 400 naming every bad field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap(issueToFieldErrors);
  throw ApiError.validation(errors);
}
