// Writes assembly/generated/board_config.ts (the reference board's constants) for the as-pect tests,
// and the as-pect spec that runs the step queue vectors on the fake HAL (as-pect cannot read files).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTestConfig } from '../../tools/build/build.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadVectors, vectorsAsSpec } from './step-queue-vectors.js';

console.log(`wrote ${writeTestConfig(process.argv[2] ?? 'ref-pen')}`);
const specDir = join(REPO_ROOT, 'tests', 'assembly', 'generated');
mkdirSync(specDir, { recursive: true });
const spec = join(specDir, 'step-queue-vectors.spec.ts');
writeFileSync(spec, vectorsAsSpec(loadVectors()));
console.log(`wrote ${spec}`);
