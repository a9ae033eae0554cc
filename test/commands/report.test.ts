// The cross-buildability report (issue #8) from a real xdeb-sequence run over fixtures — one that
// builds, one whose build fails, two in a loop no profile breaks, one with a build-dependency no
// repository has — opened in headless Chromium, whose DOM must show every source and its verdict.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { have, ROOT, runCli } from '../support/cli.js';

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
const ready =
  process.getuid?.() === 0 &&
  sh('dpkg --print-foreign-architectures').stdout.split('\n').includes('arm64') &&
  have('dpkg-buildpackage') &&
  have('aarch64-linux-gnu-gcc') &&
  have('chromium');

describe.runIf(ready)('xdeb-sequence --keep-going --report DIR, read in Chromium', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-report-'));
  const src = join(work, 'src');
  const report = join(work, 'report');
  cpSync(join(ROOT, 'fixtures/debian'), src, { recursive: true });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs the builds and writes the report', () => {
    const r = runCli(
      [
        '--local-repo',
        join(work, 'repo'),
        '-a',
        'arm64',
        '--keep-going',
        '--report',
        report,
        'xdebflavour',
        'xdebdemo-broken',
        'xdebloop-c',
        'xdebloop-d',
        'xdebreport-unsat',
      ],
      {
        bin: 'xdeb-sequence',
        cwd: src,
        env: { XDG_CONFIG_HOME: join(work, 'user') },
        timeout: 900_000,
      },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(existsSync(join(report, 'index.html'))).toBe(true);
    const data = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(data.summary).toMatchObject({ sources: 5, satisfiable: 2, unsatisfiable: 1, loop: 2, built: 1, failed: 1, skipped: 3 });
  });

  it('Chromium shows every source with its verdict, reason and build result, and the logs it links exist', () => {
    const profile = join(work, 'chromium-profile');
    const r = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--dump-dom',
        `file://${report}/index.html`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const dom = r.stdout;
    const row = (source: string) => {
      const m = new RegExp(`<tr class="source[^"]*" data-source="${source}"[^>]*>(.*?)</tr>`).exec(dom);
      expect(m, `a row for ${source}`).not.toBeNull();
      return m![0];
    };
    expect(row('xdebflavour')).toMatch(/data-verdict="satisfiable" data-build="built"/);
    expect(row('xdebdemo-broken')).toMatch(/data-verdict="satisfiable" data-build="failed"/);
    expect(row('xdebloop-c')).toMatch(
      /data-verdict="loop".*in loop 1, which nothing breaks: xdebloop-[cd] needs libxdebloop-[cd]-dev:arm64/,
    );
    expect(row('xdebloop-d')).toMatch(/data-verdict="loop"/);
    expect(row('xdebreport-unsat')).toMatch(/data-verdict="unsatisfiable".*no package is named or provides 'libxdeb-nowhere-dev'/);
    expect(dom).toMatch(/<td id="summary-sources">5<\/td>/);
    expect(dom).toMatch(/<td id="summary-failed">1<\/td>/);
    // The failed build links its log, copied beside the report.
    const link = /<a class="log" href="([^"]+)"/.exec(row('xdebdemo-broken'))![1]!;
    expect(readFileSync(join(report, decodeURIComponent(link)), 'utf8')).toMatch(/^Status: failed$/m);
  });
});
