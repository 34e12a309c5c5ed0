// Every `--json` output spells its keys in snake_case (as `pen sim --json` and the scenario files do),
// whatever the TypeScript names inside are.

/** A copy of `v` with each object key in snake_case: tickMaxInstructions -> tick_max_instructions. */
export function snakeCaseKeys(v: unknown): unknown {
  return mapKeys(v, snakeCase);
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
  return mapKeys(v, camelCase);
}

export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A copy of `v` with every object key, at any depth, renamed by `name`. */
function mapKeys(v: unknown, name: (key: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => mapKeys(x, name));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [name(k), mapKeys(x, name)]));
  }
  return v;
}
