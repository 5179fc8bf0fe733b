#!/usr/bin/env node
// Runs every test tier and ends with one plain line `N passed, N failed, N skipped`.
// Each runner writes a JSON report; the totals are computed from those reports, not from
// scraping human output. Exit status is non-zero when anything failed or a runner crashed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.vitest-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const extraArgs = process.argv.slice(2);
const tiers = [
  {
    name: 'vitest',
    cmd: 'npx',
    args: [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(outDir, 'vitest.json')}`,
      ...extraArgs,
    ],
    report: join(outDir, 'vitest.json'),
    count: (r) => ({
      passed: r.numPassedTests ?? 0,
      failed: (r.numFailedTests ?? 0) + filesThatFailedToRun(r),
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    }),
  },
  {
    // End-to-end specs in Debian's chromium (see playwright.config.ts); it writes its own JSON report.
    name: 'playwright',
    cmd: 'npx',
    args: ['playwright', 'test'],
    report: join(outDir, 'playwright.json'),
    count: (r) => {
      const s = r.stats ?? {};
      return {
        passed: (s.expected ?? 0) + (s.flaky ?? 0),
        failed: (s.unexpected ?? 0) + (r.errors?.length ?? 0),
        skipped: s.skipped ?? 0,
      };
    },
  },
];

// A test file that failed to load (or crashed) has no failed test in it; count it once as a failure.
function filesThatFailedToRun(r) {
  return (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let crashed = false;
for (const tier of tiers) {
  console.log(`\n== ${tier.name} ==`);
  const res = spawnSync(tier.cmd, tier.args, { cwd: root, stdio: 'inherit', env: process.env });
  if (!existsSync(tier.report)) {
    console.error(`${tier.name} wrote no report (exit ${res.status}); counting it as one failure`);
    totals.failed += 1;
    crashed = true;
    continue;
  }
  const c = tier.count(JSON.parse(readFileSync(tier.report, 'utf8')));
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  if (res.status !== 0 && c.failed === 0) {
    console.error(`${tier.name} exited ${res.status} without failed tests; counting it as one failure`);
    totals.failed += 1;
    crashed = true;
  }
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || crashed ? 1 : 0);
