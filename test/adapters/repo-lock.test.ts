import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, withLock } from '../../src/adapters/repo-lock.js';
import { EnvironmentError } from '../../src/lib/errors.js';
import { ROOT } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xdeb-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another process that takes the lock and holds it until killed. */
function holder(file: string): Promise<{ pid: number; exited: Promise<void> }> {
  const script = `import(${JSON.stringify(`${ROOT}/dist/adapters/repo-lock.js`)}).then(async (m) => { await m.acquireLock(${JSON.stringify(file)}); console.log('held'); setInterval(() => {}, 1 << 30); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('held') && resolve({ pid: child.pid!, exited }));
    child.on('error', reject);
    setTimeout(() => reject(new Error('the holder did not take the lock')), 20_000);
  });
}

describe('the repository lock', () => {
  it('excludes a second writer until released', async () => {
    const file = join(dir, 'a.lock');
    const first = await acquireLock(file);
    await expect(acquireLock(file, { waitSeconds: 0 })).rejects.toThrow(EnvironmentError);
    await expect(acquireLock(file, { waitSeconds: 0, what: 'the repo' })).rejects.toThrow(/the repo is locked by another process/);
    await first.release();
    const second = await acquireLock(file, { waitSeconds: 0 });
    await second.release();
  });

  it('waits for the holder, telling so once', async () => {
    const file = join(dir, 'b.lock');
    const first = await acquireLock(file);
    let waited = 0;
    const later = acquireLock(file, { waitSeconds: 30, onWait: () => waited++ });
    await new Promise((r) => setTimeout(r, 300));
    await first.release();
    await (await later).release();
    expect(waited).toBe(1);
  });

  it('serialises critical sections', async () => {
    const file = join(dir, 'c.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withLock(file, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 30));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('readers share, a writer waits for them', async () => {
    const file = join(dir, 'd.lock');
    const r1 = await acquireLock(file, { shared: true });
    const r2 = await acquireLock(file, { shared: true, waitSeconds: 0 });
    await expect(acquireLock(file, { waitSeconds: 0 })).rejects.toThrow(/locked/);
    await r1.release();
    await r2.release();
    await (await acquireLock(file, { waitSeconds: 0 })).release();
  });

  it('is free again as soon as its holder is killed with SIGKILL', async () => {
    const file = join(dir, 'e.lock');
    const h = await holder(file);
    await expect(acquireLock(file, { waitSeconds: 0 })).rejects.toThrow(/locked/);
    process.kill(h.pid, 'SIGKILL');
    await h.exited;
    const t0 = Date.now();
    const l = await acquireLock(file, { waitSeconds: 10 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await l.release();
  });
});
