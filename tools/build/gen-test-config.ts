// Writes assembly/generated/board_config.ts (the reference board's constants) for the as-pect tests.
import { writeTestConfig } from './build.js';

console.log(`wrote ${writeTestConfig(process.argv[2] ?? 'ref-pen')}`);
