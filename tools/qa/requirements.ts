// Requirement IDs and their titles, read from docs/requirements.md ("### ID: title" headings).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';

/** `tests`: test programs outside the QA suite that the requirement names as verifying it. */
export interface Requirement {
  id: string;
  title: string;
  tests: string[];
}

export function loadRequirements(path = join(REPO_ROOT, 'docs', 'requirements.md')): Requirement[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const heads = [...text.matchAll(/^### ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+): (.+)$/gm)];
  return heads.map((m, i) => {
    const body = text.slice(m.index!, heads[i + 1]?.index ?? text.length);
    const tests = [...new Set([...body.matchAll(/`(tests\/[^`]+\.ts)`/g)].map((t) => t[1]))];
    return { id: m[1], title: m[2].trim(), tests };
  });
}
