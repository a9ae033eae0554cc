// xdeb-chroot create and update: mmdebstrap makes the image (root mode as root, unshare mode
// otherwise), written under a hidden temporary name and renamed into place, its description
// written last; update unpacks a copy, runs apt inside, and packs it back the same way.

import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  aptListPrefix,
  checkChrootName,
  CHROOT_META_FORMAT,
  missingSourceLines,
  DPKG_EXCLUDES,
  DPKG_EXCLUDES_FILE,
  planCreate,
  type ChrootKind,
  type ChrootMeta,
} from '../lib/chroot-spec.js';
import { EnvironmentError, Interrupted, NegativeAnswer, UsageError } from '../lib/errors.js';
import { hostBinaryList } from '../lib/host-binaries.js';
import { diagnoseMmdebstrapLog } from '../lib/mmdebstrap-log.js';
import type { Output } from '../ui/output.js';
import { chrootFiles, packImage, readChrootMeta, withChrootLock, withChrootSession, writeChrootMeta } from '../adapters/chroot.js';
import { buildArch as machineArch } from '../adapters/dpkg.js';
import { resolveInRoot } from '../adapters/mounts.js';
import { closeLog, logWrite, openLog, runStreamed } from '../adapters/dpkg-buildpackage.js';

export interface CreateOptions {
  dir: string;
  name: string;
  kind: ChrootKind;
  hostArch: string;
  suite: string;
  mirror: string;
  include: readonly string[];
  /** The local repository to configure as an apt source inside (made empty if missing). */
  localRepo?: string;
  /** For an emulated chroot: the cross chroot whose compilers builds use by default. */
  native?: string;
  /** --host-binaries [TOOLS]: the tools its builds run natively by default (true: the default list). */
  hostBinaries?: string | true;
  out: Output;
}

function which(cmd: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((d) => d && existsSync(join(d, cmd)));
}

export async function createChroot(o: CreateOptions): Promise<ChrootMeta> {
  checkChrootName(o.name);
  const files = chrootFiles(o.dir, o.name);
  if (existsSync(files.meta) || existsSync(files.image)) {
    throw new UsageError(
      `chroot '${o.name}' exists in ${o.dir}: xdeb-chroot update ${o.name} refreshes it, xdeb-chroot remove ${o.name} deletes it`,
    );
  }
  if (o.native) {
    const n = readChrootMeta(o.dir, o.native);
    if (o.kind !== 'emulated') throw new UsageError('--native goes with --emulated');
    if (n.kind !== 'cross')
      throw new UsageError(
        `--native ${o.native}: that is an ${n.kind} chroot; give a cross chroot (xdeb-chroot create -a ${o.hostArch} NAME)`,
      );
  }
  const hostBinaries = o.hostBinaries === undefined ? undefined : hostBinaryList(o.hostBinaries);
  if (hostBinaries && !o.native) throw new UsageError('--host-binaries come from the native chroot: give --native NAME too');
  if (!which('mmdebstrap')) throw new EnvironmentError('mmdebstrap not found (install the mmdebstrap package)');
  const machine = machineArch();
  if (o.kind === 'emulated') {
    const { requireEmulation } = await import('../adapters/qemu.js');
    await requireEmulation(o.hostArch);
  }
  let repoLine: string | undefined;
  if (o.localRepo) {
    const { ensureRepo, aptSourcesLine } = await import('../adapters/local-repo.js');
    await ensureRepo(o.localRepo);
    repoLine = aptSourcesLine(o.localRepo, 'full');
  }
  mkdirSync(o.dir, { recursive: true });
  const tmp = join(o.dir, `.${o.name}.${process.pid}.new.tar.zst`);
  const plan = planCreate({
    name: o.name,
    kind: o.kind,
    machineArch: machine,
    hostArch: o.hostArch,
    suite: o.suite,
    mirror: o.mirror,
    include: o.include,
    unshare: process.getuid?.() !== 0,
    output: tmp,
    localRepoLine: repoLine,
  });
  return withChrootLock(o.dir, o.name, async () => {
    const started = new Date();
    const log = await openLog(files.log);
    o.out.info(`running: ${plan.argv.join(' ')}`);
    o.out.info(`log: ${files.log}`);
    await logWrite(log, `$ ${plan.argv.join(' ')}\n`);
    let run;
    try {
      run = await runStreamed(plan.argv[0]!, plan.argv.slice(1), {
        cwd: o.dir,
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
        log,
        echo: o.out.verbose || o.out.tty,
      });
    } finally {
      await closeLog(log);
    }
    try {
      if (run.interrupted) throw new Interrupted(`interrupted by ${run.interrupted}; nothing was kept`);
      if (run.code !== 0 || !existsSync(tmp)) {
        const status = run.signal ? `killed by ${run.signal}` : `exit status ${run.code}`;
        const d = diagnoseMmdebstrapLog(readFileSync(files.log, 'utf8'), o.mirror, o.suite);
        const message = `mmdebstrap failed (${status}): ${d.summary}; nothing was kept`;
        const details = [...d.errors.map((e) => `  ${e}`), `log: ${files.log}`];
        if (d.kind === 'mirror') throw new EnvironmentError(message, details);
        if (d.kind === 'suite' || d.kind === 'package') throw new UsageError(message, details);
        throw new NegativeAnswer(message, details);
      }
      renameSync(tmp, files.image);
    } finally {
      rmSync(tmp, { force: true });
    }
    const now = new Date().toISOString();
    const meta: ChrootMeta = {
      format: CHROOT_META_FORMAT,
      name: o.name,
      kind: o.kind,
      buildArch: plan.buildArch,
      hostArch: o.hostArch,
      architectures: plan.architectures,
      suite: o.suite,
      mirror: o.mirror,
      include: plan.include,
      image: `${o.name}.tar.zst`,
      ...(o.localRepo ? { localRepo: o.localRepo } : {}),
      ...(o.native ? { native: o.native } : {}),
      ...(hostBinaries ? { hostBinaries } : {}),
      command: plan.argv,
      created: started.toISOString(),
      updated: now,
      bytes: statSync(files.image).size,
    };
    writeChrootMeta(o.dir, meta);
    o.out.info(
      `chroot ${o.name}: ${meta.kind}, ${meta.architectures.join('+')}, ${(meta.bytes! / 1e6).toFixed(0)} MB in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`,
    );
    return meta;
  });
}

export interface UpdateOptions {
  dir: string;
  name: string;
  localRepo?: string;
  out: Output;
}

/** apt-get update and dist-upgrade inside a copy, packed back as the new image. */
export async function updateChroot(o: UpdateOptions): Promise<ChrootMeta> {
  const meta0 = readChrootMeta(o.dir, o.name);
  return withChrootSession({ dir: o.dir, name: o.name, localRepo: o.localRepo, out: o.out }, async (s) => {
    const step = async (argv: string[]) => {
      o.out.info(`chroot ${o.name}: ${argv.join(' ')}`);
      return s.runOk(argv);
    };
    // Chroots made before xdeb gave them deb-src lines get them: sources named on the command line are fetched from the chroot's mirror.
    const list = resolveInRoot(s.root, '/etc/apt/sources.list');
    const add = existsSync(list) ? missingSourceLines(readFileSync(list, 'utf8')) : [];
    if (add.length) {
      appendFileSync(list, add.join('\n') + '\n');
      o.out.info(`chroot ${o.name}: added ${add.join('; ')}`);
    }
    // Chroots made before xdeb filtered their documentation get the filter (lib/chroot-spec.ts says why).
    const excludes = resolveInRoot(s.root, DPKG_EXCLUDES_FILE);
    if (!existsSync(excludes)) {
      writeFileSync(excludes, DPKG_EXCLUDES.join('\n') + '\n');
      o.out.info(`chroot ${o.name}: added ${DPKG_EXCLUDES_FILE} (${DPKG_EXCLUDES.join(', ')})`);
    }
    await step(['apt-get', 'update', '-q', '--error-on=any']);
    await step(['apt-get', 'dist-upgrade', '-y', '-q', '--no-install-recommends']);
    const r = await step(['dpkg-query', '-W', '-f', '${Package}:${Architecture} ${Version}\\n']);
    await step(['apt-get', 'clean']);
    await s.unmountInside();
    s.checkInterrupted();
    // The local repository's lists go stale as soon as it is published to: not kept in the image.
    if (o.localRepo && existsSync(o.localRepo)) {
      const lists = join(s.root, 'var/lib/apt/lists');
      const prefix = aptListPrefix(realpathSync(o.localRepo));
      for (const f of readdirSync(lists)) if (f.startsWith(prefix)) unlinkSync(join(lists, f));
    }
    const bytes = await withChrootLock(o.dir, o.name, async () => {
      const now = readChrootMeta(o.dir, o.name);
      if (now.updated !== meta0.updated)
        throw new EnvironmentError(`chroot ${o.name} was changed by someone else meanwhile; not replacing it`);
      return packImage(s.root, join(o.dir, meta0.image));
    });
    const meta: ChrootMeta = { ...meta0, updated: new Date().toISOString(), bytes };
    writeChrootMeta(o.dir, meta);
    o.out.info(`chroot ${o.name}: ${r.stdout.trim().split('\n').length} packages, ${(bytes / 1e6).toFixed(0)} MB`);
    return meta;
  });
}
