// xdeb-chroot login: a shell, or one command, in a fresh session of a chroot. The terminal's
// Ctrl-C belongs to the shell inside; SIGTERM and SIGHUP end the session (its cleanup included).
// --save packs the copy back as the chroot's image once the shell has exited.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../lib/errors.js';
import type { Output } from '../ui/output.js';
import { packImage, readChrootMeta, withChrootLock, withChrootSession, writeChrootMeta } from '../adapters/chroot.js';
import { resolveInRoot } from '../adapters/mounts.js';

export interface LoginOptions {
  dir: string;
  name: string;
  /** A command instead of the login shell. */
  command: readonly string[];
  binds: readonly string[];
  native?: string;
  /** --host-binaries [TOOLS]: with --native, these tools run natively too (true: the default list). */
  hostBinaries?: string | true;
  save: boolean;
  localRepo?: string;
  out: Output;
}

export async function loginChroot(o: LoginOptions): Promise<number> {
  const before = readChrootMeta(o.dir, o.name);
  const binds = o.binds.map((b) => {
    if (!existsSync(b)) throw new EnvironmentError(`--bind ${b}: no such directory`);
    return { path: b, readOnly: false };
  });
  return withChrootSession(
    { dir: o.dir, name: o.name, localRepo: o.localRepo, binds, native: o.native, interactive: o.command.length === 0, out: o.out },
    async (s) => {
      if (o.native) {
        const { setupNativeCompilers } = await import('../adapters/native-compilers.js');
        await setupNativeCompilers(
          s,
          (m) => o.out.warn(m),
          (m) => o.out.info(m),
        );
      }
      if (o.hostBinaries !== undefined) {
        if (!o.native) throw new UsageError('--host-binaries come from the native chroot: give --native NAME too');
        const { setupHostBinaries, HOST_BINARIES_RECORD } = await import('../adapters/host-binaries.js');
        const list = o.hostBinaries === true ? [] : o.hostBinaries.split(/[,\s]+/).filter(Boolean);
        const h = await setupHostBinaries(s, list, (m) => o.out.info(m));
        for (const t of h.tools) o.out.info(`  native: ${t.name} ${t.version} (${t.files.join(' ')})`);
        o.out.info(`  (listed in ${HOST_BINARIES_RECORD} inside; dpkg-divert --list shows the emulated copies aside)`);
      }
      const shell = existsSync(resolveInRoot(s.root, '/bin/bash')) ? ['/bin/bash', '-l'] : ['/bin/sh', '-l'];
      const cwd = binds.length && o.command.length ? binds[0]!.path : '/root';
      const argv = s.wrap(o.command.length ? o.command : shell, { cwd });
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
        child.on('error', (e) => reject(new EnvironmentError(`cannot run chroot: ${e.message}`)));
        child.on('close', (c, sig) =>
          resolve(c ?? (sig ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGHUP: 1 } as Record<string, number>)[sig]! : 1)),
        );
      });
      s.checkInterrupted();
      if (o.save) {
        if (o.hostBinaries !== undefined) {
          const { removeHostBinaries } = await import('../adapters/host-binaries.js');
          await removeHostBinaries(s);
        }
        await s.unmountInside();
        const bytes = await withChrootLock(o.dir, o.name, async () => {
          const now = readChrootMeta(o.dir, o.name);
          if (now.updated !== before.updated)
            throw new EnvironmentError(`chroot ${o.name} was changed meanwhile; --save does not overwrite it`);
          return packImage(s.root, join(o.dir, before.image));
        });
        writeChrootMeta(o.dir, { ...before, updated: new Date().toISOString(), bytes });
        o.out.info(`chroot ${o.name}: saved (${(bytes / 1e6).toFixed(0)} MB)`);
      }
      return code;
    },
  );
}
