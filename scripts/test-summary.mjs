#!/usr/bin/env node
// Prints the closing line CI reads, "N passed, N failed, N skipped", from vitest's JSON report.
// Skipped counts every test that did not run (it.skip, skipIf, todo, the tests of a skipped file):
// a skipped test does not fail the run, but on a fresh machine there should be none, since
// scripts/install-deps installs what the tests need. Exits non-zero when anything failed.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2] ?? 'test-results/vitest.json';
let r;
try {
  r = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
} catch (e) {
  console.error(`test-summary: ${file}: ${e.message}`);
}
if (!r) {
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
const passed = r.numPassedTests ?? 0;
let failed = r.numFailedTests ?? 0;
let skipped = 0;
const names = [];
for (const s of r.testResults ?? []) {
  const tests = s.assertionResults ?? [];
  // A test file that failed to load has no tests in it but is a failure all the same.
  if (s.status === 'failed' && tests.length === 0) failed++;
  // Neither passed nor failed: 'skipped', 'pending', 'todo' (vitest's JSON statuses).
  for (const t of tests) {
    if (t.status === 'passed' || t.status === 'failed') continue;
    skipped++;
    names.push(`  ${t.status}: ${relative(process.cwd(), s.name ?? '')}: ${t.fullName ?? t.title}`);
  }
}
// The per-test statuses are the count; the totals only guard against a report without them.
skipped = Math.max(skipped, (r.numTotalTests ?? 0) - passed - (r.numFailedTests ?? 0));
if (names.length) console.log(`Not run:\n${names.join('\n')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
