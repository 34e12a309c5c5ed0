// Requirement IDs and their titles, read from docs/requirements.md ("### ID: title" headings).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../host-sim/paths.js';

export interface Requirement { id: string; title: string }

export function loadRequirements(path = join(REPO_ROOT, 'docs', 'requirements.md')): Requirement[] {
  if (!existsSync(path)) return [];
  return [...readFileSync(path, 'utf8').matchAll(/^### ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+): (.+)$/gm)].map((m) => ({ id: m[1], title: m[2].trim() }));
}
