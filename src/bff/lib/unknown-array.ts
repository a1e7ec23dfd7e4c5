/**
 * Array.isArray for values read from the outside: it narrows to `unknown[]` rather than `any[]`, so
 * every element is still checked before use.
 */
export function isUnknownArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}
