// Paths inside a chroot resolve as the chroot sees them, and a session directory is never removed
// while something is mounted under it (rm -rf would follow a bind mount into the machine's files).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountedUnder, mountStep, removeTree, resolveInRoot, unmountUnder } from '../../src/adapters/mounts.js';

describe('resolveInRoot', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-inroot-'));
  const root = join(work, 'root');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  mkdirSync(join(root, 'run'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  mkdirSync(join(root, 'var'), { recursive: true });
  symlinkSync('/run', join(root, 'var/run'));
  symlinkSync('../../../../../../etc', join(root, 'escape'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));

  it('follows relative symlinks inside', () => {
    expect(resolveInRoot(root, '/lib/x86_64-linux-gnu', { create: true })).toBe(join(root, 'usr/lib/x86_64-linux-gnu'));
    expect(existsSync(join(root, 'usr/lib/x86_64-linux-gnu'))).toBe(true);
  });
  it("starts an absolute symlink again at the root, not at the machine's /", () => {
    const marker = `xdeb-test-${process.pid}`;
    expect(resolveInRoot(root, `/var/run/${marker}`, { create: true })).toBe(join(root, 'run', marker));
    expect(existsSync(join('/run', marker))).toBe(false);
  });
  it('stops .. at the root', () => {
    expect(resolveInRoot(root, '/escape/passwd')).toBe(join(root, 'etc/passwd'));
  });
  it('gives up on symlink loops', () => {
    expect(() => resolveInRoot(root, '/loop1/x')).toThrow(/too many symbolic links/);
  });
  it('does not create without being asked', () => {
    expect(resolveInRoot(root, '/srv/a/b')).toBe(join(root, 'srv/a/b'));
    expect(existsSync(join(root, 'srv'))).toBe(false);
  });
});

describe.runIf(process.getuid?.() === 0)('removeTree and unmountUnder (root)', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-mounts-'));
  const outside = join(work, 'outside');
  const session = join(work, 'session');
  afterAll(() => {
    spawnSync('umount', ['-R', join(session, 'root/data')]);
    if (mountedUnder(work).length === 0) rmSync(work, { recursive: true, force: true });
  });

  it('refuses to remove a directory with a bind mount under it, and removes it once unmounted, the bound files kept', async () => {
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'precious'), 'keep me\n');
    mkdirSync(join(session, 'root/data'), { recursive: true });
    await mountStep({ kind: 'bind', source: outside, target: join(session, 'root/data'), readOnly: true });
    expect(mountedUnder(session)).toEqual([join(session, 'root/data')]);
    expect(() => writeFileSync(join(session, 'root/data/x'), '')).toThrow(/EROFS|read-only/);
    await expect(removeTree(session)).rejects.toThrow(/still mounted under it/);
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep me\n');
    expect(await unmountUnder(session)).toEqual([]);
    await removeTree(session);
    expect(existsSync(session)).toBe(false);
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep me\n');
  });
});
