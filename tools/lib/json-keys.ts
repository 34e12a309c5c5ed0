// Every `--json` output spells its keys in snake_case (as `pen sim --json` and the scenario files do),
// whatever the TypeScript names inside are.

/** A copy of `v` with each object key in snake_case: tickMaxInstructions -> tick_max_instructions. */
export function snakeCaseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeCaseKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [snakeCase(k), snakeCaseKeys(x)]));
  }
  return v;
}

export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The inverse, for reading our own reports back (`pen campaign --from`): from_onset_ms -> fromOnsetMs.
 * A key with no underscore is kept, so a report written before its keys were snake_case reads too.
 */
export function camelCaseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelCaseKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelCase(k), camelCaseKeys(x)]));
  }
  return v;
}

export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
