// Prints the plain closing line CI reads ("N passed, M failed, K skipped") from vitest's JSON report.
// Exits 1 when the report is missing, when a test failed, or when no test ran at all.
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: the test run did not complete`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const passed = r.numPassedTests ?? 0;
const failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
for (const suite of r.testResults ?? []) {
  if (suite.status === 'failed' && suite.message) console.error(`suite failed: ${suite.name}\n${suite.message.slice(0, 2000)}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
