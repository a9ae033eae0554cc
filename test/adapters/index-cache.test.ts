// The on-disk package index cache (adapters/index-cache.ts): built on first use, read from disk
// after, read again when the index file changes, rebuilt with a warning — never read — when the
// cache file is truncated, overwritten or flipped, bounded in size, and absent with XDEB_NO_CACHE.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { indexCacheDir, openPackageIndex } from '../../src/adapters/index-cache.js';
import { CROSS_BASE_STANZAS, ROOT, runCli } from '../support/cli.js';

const SAMPLE = readFileSync(join(ROOT, 'test/fixtures/deb822/bookworm-Packages_amd64.sample'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'xdeb-index-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A fresh index file and cache directory. */
function setup(text = SAMPLE): {
  file: string;
  env: NodeJS.ProcessEnv;
  dir: string;
  warnings: string[];
  open: () => ReturnType<typeof openPackageIndex>;
} {
  const base = join(work, String(n++));
  const file = join(base, 'Packages');
  const env = { XDG_CACHE_HOME: join(base, 'cache') };
  spawnSync('mkdir', ['-p', base]);
  writeFileSync(file, text);
  const warnings: string[] = [];
  return {
    file,
    env,
    dir: indexCacheDir(env)!,
    warnings,
    open: () => openPackageIndex(file, 'Packages', { env, warn: (m) => warnings.push(m) }),
  };
}

const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.idx')) : []);
const names = (ix: Awaited<ReturnType<typeof openPackageIndex>>['index']) =>
  Array.from({ length: ix.binaryCount }, (_, i) => ix.binaryName(i));
const SAMPLE_NAMES = [...SAMPLE.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]);

describe('index cache', () => {
  it('is built on first use and read from disk after', async () => {
    const t = setup();
    const first = await t.open();
    expect(first.fromCache).toBe(false);
    expect(cacheFiles(t.dir)).toHaveLength(1);
    const second = await t.open();
    expect(second.fromCache).toBe(true);
    expect(names(second.index)).toEqual(SAMPLE_NAMES);
    for (let i = 0; i < first.index.binaryCount; i++) expect(second.index.binary(i)).toEqual(first.index.binary(i));
    expect(t.warnings).toEqual([]);
  });

  it('is read again when the index file changes (size or mtime), and the old one goes', async () => {
    const t = setup();
    await t.open();
    writeFileSync(t.file, SAMPLE + '\nPackage: added-later\nVersion: 1\nArchitecture: amd64\n');
    const changed = await t.open();
    expect(changed.fromCache).toBe(false);
    expect(changed.index.named('added-later')).toHaveLength(1);
    // Same size, other contents, other mtime.
    writeFileSync(t.file, SAMPLE.replace('Package: ', 'Package: X'));
    utimesSync(t.file, new Date(), new Date(Date.now() + 5000));
    const again = await t.open();
    expect(again.fromCache).toBe(false);
    expect(again.index.named('added-later')).toEqual([]);
    expect(cacheFiles(t.dir)).toHaveLength(1);
  });

  it.each([
    ['truncated', (f: string) => truncateSync(f, Math.floor(statSync(f).size / 2))],
    ['emptied', (f: string) => truncateSync(f, 0)],
    ['overwritten with text', (f: string) => writeFileSync(f, 'Package: hello\n')],
  ])('%s: rebuilt at once with a warning, never read', async (_what, damage) => {
    const t = setup();
    const good = names((await t.open()).index);
    const [file] = cacheFiles(t.dir);
    damage(join(t.dir, file!));
    const r = await t.open();
    expect(r.fromCache).toBe(false);
    expect(names(r.index)).toEqual(good);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(new RegExp(`index cache ${join(t.dir, file!)} is damaged \\(.+\\): rebuilding it from ${t.file}`));
    // Rebuilt: whole again.
    expect((await t.open()).fromCache).toBe(true);
    expect(t.warnings).toHaveLength(1);
  });

  it.each([
    ['a record', (b: Buffer) => b.indexOf(SAMPLE_NAMES[3]!)],
    ['a table entry', (b: Buffer) => b.lastIndexOf(SAMPLE_NAMES[3]!)],
  ])('a byte flipped in %s: found when read, rebuilt in the middle of the question, which goes on', async (_what, find) => {
    const t = setup();
    const good = await t.open();
    const want = { named: good.index.named(SAMPLE_NAMES[3]!), names: names(good.index) };
    const [file] = cacheFiles(t.dir);
    const b = readFileSync(join(t.dir, file!));
    const at = find(b);
    expect(at).toBeGreaterThan(0);
    b[at] ^= 0x20;
    writeFileSync(join(t.dir, file!), b);
    const r = await t.open();
    expect(r.fromCache).toBe(true);
    expect(t.warnings).toEqual([]);
    expect({ named: r.index.named(SAMPLE_NAMES[3]!), names: names(r.index) }).toEqual(want);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(/is damaged \((record \d+|the table entry at \d+) does not match its checksum\): rebuilding it from/);
    expect(readFileSync(join(t.dir, file!)).equals(b)).toBe(false);
    expect((await t.open()).fromCache).toBe(true);
  });

  it('a rebuild in the middle of a question refuses an index file that changed meanwhile', async () => {
    const t = setup();
    await t.open();
    const [file] = cacheFiles(t.dir);
    const b = readFileSync(join(t.dir, file!));
    b[b.indexOf(SAMPLE_NAMES[3]!)] ^= 0x20;
    writeFileSync(join(t.dir, file!), b);
    const r = await t.open();
    writeFileSync(t.file, SAMPLE + '\nPackage: added-later\nVersion: 1\nArchitecture: amd64\n');
    expect(() => names(r.index)).toThrow(/changed while xdeb was reading it: run the command again/);
  });

  it('opened again in the same process, the same reader: a sequence of builds does not open a descriptor per build', async () => {
    const t = setup();
    await t.open();
    const first = await t.open();
    const fds = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 50; i++) expect((await t.open()).index).toBe(first.index);
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
  });

  it('a damaged cache file is closed once: the garbage collector does not close its number again when another file has it', () => {
    const t = setup();
    const script = `
      import { openSync, fstatSync, readdirSync, writeFileSync } from 'node:fs';
      const { openPackageIndex } = await import(${JSON.stringify(join(ROOT, 'dist/adapters/index-cache.js'))});
      const env = { XDG_CACHE_HOME: ${JSON.stringify(t.env.XDG_CACHE_HOME)} };
      const file = ${JSON.stringify(t.file)};
      const dir = ${JSON.stringify(t.dir)};
      await openPackageIndex(file, 'Packages', { env });
      for (let i = 0; i < 20; i++) {
        for (const c of readdirSync(dir)) writeFileSync(dir + '/' + c, 'Package: hello\\n');
        await openPackageIndex(file, 'Packages', { env, warn: () => {} });
      }
      const other = openSync('/dev/null', 'r');
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 30)); }
      fstatSync(other);
      console.log('still open');
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('still open');
  });

  it('writes nothing with XDEB_NO_CACHE=1', async () => {
    const t = setup();
    const r = await openPackageIndex(t.file, 'Packages', { env: { ...t.env, XDEB_NO_CACHE: '1' } });
    expect(names(r.index)).toEqual(SAMPLE_NAMES);
    expect(cacheFiles(t.dir)).toEqual([]);
  });

  it('keeps at most 64 files, the least recently used go first, and the old format is cleared', async () => {
    const t = setup();
    spawnSync('mkdir', ['-p', t.dir]);
    writeFileSync(join(t.dir, '0123-old.v8'), 'x');
    const files: string[] = [];
    for (let i = 0; i < 70; i++) {
      const f = join(work, `many-${i}`);
      writeFileSync(f, `Package: p${i}\nVersion: 1\nArchitecture: all\n`);
      files.push(f);
      await openPackageIndex(f, 'Packages', { env: t.env });
    }
    expect(cacheFiles(t.dir).length).toBeLessThanOrEqual(64);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.v8'))).toEqual([]);
    // The newest is kept, the first ones went.
    expect((await openPackageIndex(files[69]!, 'Packages', { env: t.env })).fromCache).toBe(true);
    expect((await openPackageIndex(files[0]!, 'Packages', { env: t.env })).fromCache).toBe(false);
  });
});

describe('xdeb-satisfydepends with a damaged cache', () => {
  it('warns, rebuilds and answers as with a whole one', () => {
    const t = setup(
      [
        ...CROSS_BASE_STANZAS,
        'Package: libz-dev\nVersion: 1\nArchitecture: arm64\nMulti-Arch: same\n',
        'Package: demo-tool\nVersion: 1\nArchitecture: amd64\nMulti-Arch: foreign\nDepends: libz-dev:arm64\n',
      ].join('\n'),
    );
    const sources = join(work, 'Sources.demo');
    writeFileSync(sources, 'Package: demo\nVersion: 1.0-1\nArchitecture: any\nBinary: demo\nBuild-Depends: libz-dev, demo-tool\n');
    const args = [
      '-a',
      'arm64',
      '--list',
      '--json',
      '--no-status',
      '--disable-remote-repo',
      '--disable-local-repo',
      '--repo',
      t.file,
      '--repo',
      sources,
      'demo',
    ];
    const run = () => runCli(args, { bin: 'xdeb-satisfydepends', env: t.env });
    const first = run();
    expect(first.status).toBe(0);
    expect(cacheFiles(t.dir)).toHaveLength(2);
    for (const f of cacheFiles(t.dir)) truncateSync(join(t.dir, f), 100);
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr.match(/warning: index cache .* is damaged/g)).toHaveLength(2);
    const third = run();
    expect(third.stderr).not.toMatch(/damaged/);
    expect(third.stdout).toBe(first.stdout);
    // A byte of the record the question needs: found when read, rebuilt on the spot.
    const [packages] = cacheFiles(t.dir).filter((f) => readFileSync(join(t.dir, f)).includes('libz-dev:arm64'));
    const b = readFileSync(join(t.dir, packages!));
    expect(b.indexOf('libz-dev:arm64')).toBeGreaterThan(0);
    b[b.indexOf('libz-dev:arm64')] ^= 0x20;
    writeFileSync(join(t.dir, packages!), b);
    const fourth = run();
    expect(fourth.status).toBe(0);
    expect(fourth.stdout).toBe(first.stdout);
    expect(fourth.stderr).toMatch(/warning: index cache .* is damaged \(record \d+ does not match its checksum\): rebuilding it from/);
  });
});
