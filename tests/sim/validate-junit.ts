// Validates a JUnit file against the schemas CI servers use (Jenkins' xunit junit-10.xsd and Ant's
// JUnit.xsd, tests/fixtures/junit/) with xmllint; says so and passes when xmllint is not installed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';

const file = process.argv[2] ?? 'out/junit.xml';
if (spawnSync('xmllint', ['--version']).error) {
  console.log(`# skipped the JUnit schema check of ${file}: xmllint not installed (apt-get install libxml2-utils)`);
  process.exit(0);
}
let failed = false;
for (const xsd of ['jenkins-junit-10.xsd', 'ant-junit.xsd']) {
  const r = spawnSync('xmllint', ['--noout', '--schema', join(REPO_ROOT, 'tests', 'fixtures', 'junit', xsd), file], {
    encoding: 'utf8',
  });
  process.stdout.write(r.stderr);
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
