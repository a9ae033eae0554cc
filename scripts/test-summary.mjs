#!/usr/bin/env node
// Prints the closing line CI reads, "N passed, N failed", from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
let passed = r.numPassedTests ?? 0;
let failed = r.numFailedTests ?? 0;
// A test file that failed to load has no tests in it but is a failure all the same.
for (const s of r.testResults ?? []) if (s.status === 'failed' && (s.assertionResults ?? []).length === 0) failed++;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
