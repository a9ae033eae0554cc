// Upload commands of [repository NAME] (issue #8): putresult publishes into the local repository,
// then runs the queue. The target is dput's `local` method into a directory: the first upload fails
// (the incoming directory is missing), stays queued with its files, and the next putresult uploads
// it together with the new build; nothing is lost, and the local repository had both throughout.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { have, runCli } from '../support/cli.js';
import { makeChanges, makeDeb } from '../support/debs.js';

describe.runIf(have('dput') && have('apt-ftparchive'))('xdeb-putresult: configured uploads with retries', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-uploads-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const repo = join(work, 'repo');
  const incoming = join(work, 'incoming');
  const dputCf = join(work, 'dput.cf');
  writeFileSync(dputCf, `[target]\nmethod = local\nincoming = ${incoming}\nallow_unsigned_uploads = 1\nrun_lintian = 0\n`);
  const cfg = join(work, 'xdeb.cfg');
  writeFileSync(
    cfg,
    `[repository target]\nupload = dput -c ${dputCf} target {changes}\n\n[repository elsewhere]\nupload = true\nupload-suites = staged-stage1\n`,
  );
  const env = { XDEB_SYSTEM_CONFIG: cfg, XDG_CONFIG_HOME: join(work, 'user'), USER: 'root' };
  const put = (...args: string[]) => runCli(['--local-repo', repo, '--json', ...args], { bin: 'xdeb-putresult', env });
  const build = (version: string) => {
    const dir = join(work, `b${version}`);
    mkdirSync(dir);
    const deb = makeDeb(dir, { package: 'xdebup', version, arch: 'arm64' });
    return makeChanges(dir, { source: 'xdebup', version, architectures: ['arm64'], profiles: ['cross', 'nocheck'], files: [deb] });
  };

  it('a failed upload is reported (exit 1), the build is published and the job stays queued with its files', () => {
    const r = put(build('1.0'));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/warning: upload of xdebup 1\.0 \(full\) to target failed \(exit status 1, attempt 1\); it stays queued/);
    const out = JSON.parse(r.stdout);
    expect(out.records[0]).toMatchObject({ source: 'xdebup', version: '1.0', suite: 'full' });
    // Only [repository target] takes the full suite; elsewhere takes staged-stage1 builds only.
    expect(out.uploads.queued).toEqual([
      expect.objectContaining({ repository: 'target', source: 'xdebup', version: '1.0', suite: 'full' }),
    ]);
    expect(out.uploads.outcomes).toEqual([expect.objectContaining({ status: 'failed', attempts: 1, code: 1 })]);
    expect(out.uploads.pending).toBe(1);
    const queue = join(repo, 'xdeb/uploads/target/queue');
    const [job] = readdirSync(queue);
    expect(readdirSync(join(queue, job!)).sort()).toEqual(['job.json', 'xdebup_1.0_arm64.changes', 'xdebup_1.0_arm64.deb']);
    expect(JSON.parse(readFileSync(join(queue, job!, 'job.json'), 'utf8')).attempts).toHaveLength(1);
    expect(existsSync(incoming)).toBe(false);
  });

  it('the next putresult retries it first, then uploads the new build: both arrive', () => {
    mkdirSync(incoming);
    const r = put(build('1.1'));
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(
      out.uploads.outcomes.map((o: { version: string; status: string; attempts: number }) => [o.version, o.status, o.attempts]),
    ).toEqual([
      ['1.0', 'uploaded', 2],
      ['1.1', 'uploaded', 1],
    ]);
    expect(out.uploads.pending).toBe(0);
    expect(readdirSync(incoming).sort()).toEqual([
      'xdebup_1.0_arm64.changes',
      'xdebup_1.0_arm64.deb',
      'xdebup_1.1_arm64.changes',
      'xdebup_1.1_arm64.deb',
    ]);
    expect(readdirSync(join(repo, 'xdeb/uploads/target/queue'))).toEqual([]);
    const done = readFileSync(join(repo, 'xdeb/uploads/target/done.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(done.map((d) => d.version)).toEqual(['1.0', '1.1']);
    // The local repository has both versions.
    const builds = JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds;
    expect(builds.map((b: { version: string }) => b.version).sort()).toEqual(['1.0', '1.1']);
  });

  it('--no-upload queues without running; --retry-uploads runs the queue alone', () => {
    const q = put('--no-upload', build('1.2'));
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout).uploads).toMatchObject({ outcomes: [], pending: 1 });
    const r = put('--retry-uploads');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).uploads.outcomes).toEqual([expect.objectContaining({ version: '1.2', status: 'uploaded' })]);
    expect(readdirSync(incoming)).toContain('xdebup_1.2_arm64.deb');
    expect(put('--retry-uploads', build('1.3')).status).toBe(2);
  });

  it('a bad upload-suites value names the file and line', () => {
    const bad = join(work, 'bad.cfg');
    writeFileSync(bad, '[repository x]\nupload = true\nupload-suites = full, nonsense\n');
    const r = runCli(['--local-repo', repo, '--retry-uploads'], { bin: 'xdeb-putresult', env: { ...env, XDEB_SYSTEM_CONFIG: bad } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:3: upload-suites: 'nonsense' is not a suite of the local repository`);
  });
});
