// Parses untrusted input (bodies, params, job data) with a zod schema, or throws a ValidationError
// that names every bad field, which lib/http.ts answers as a 400 problem.
import type { z } from 'zod';
import { ValidationError } from './errors.js';

export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what = 'request'): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((issue) => issue.path || '(body)').join(', ')}`, issues);
}
