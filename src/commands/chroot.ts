import { UsageError } from '../lib/errors.js';
import type { CommandSpec, OptionSpec } from '../ui/spec.js';
import type { Session } from '../flows/session.js';
import type { Flags } from '../ui/flags.js';
import { HOST_ARCH, LOCAL_CONFIG, LOCAL_REPO, sessionFlags } from './common-options.js';

/** The NAME argument (commander has checked that it is there). */
function chrootName(args: readonly string[]): string {
  const name = args[0];
  if (name === undefined) throw new UsageError('no chroot NAME given');
  return name;
}

/** The local repository a chroot sees: none with --disable-local-repo. */
function chrootLocalRepo(flags: Flags, session: Session): string | undefined {
  return flags.boolean('disableLocalRepo') ? undefined : session.localRepo.dir;
}

const NAME = { name: 'name', description: 'the chroot (xdeb-chroot list)', required: true, complete: 'chroot' as const };
const DISABLE_LOCAL_REPO: OptionSpec = { flags: '--disable-local-repo', description: 'do not configure nor mount the local repository' };
const NATIVE: OptionSpec = {
  flags: '--native <chroot>',
  description: 'emulated chroot: run compilers natively from this cross chroot (docs/emulation.md)',
  complete: 'chroot',
};

const HOST_BINARIES: OptionSpec = {
  flags: '--host-binaries [tools]',
  description:
    "emulated chroot with --native: also run these tools natively (comma-separated; without a list: xdeb's default list, docs/emulation.md)",
};

const create: CommandSpec = {
  name: 'create',
  summary: 'make a chroot with mmdebstrap and keep it as an image',
  description:
    "A cross chroot (the default) has the machine's architecture and HOST enabled, with\n" +
    'crossbuild-essential-HOST; an emulated one (--emulated) has HOST only and runs under qemu-user\n' +
    'through binfmt_misc. Both are the buildd variant with their apt lists kept, and have the local\n' +
    'repository configured as an apt source. mmdebstrap runs in root mode as root, in unshare mode\n' +
    "otherwise. The image is CHROOT-DIR/NAME.tar.zst, described by NAME.json; mmdebstrap's output goes\n" +
    'to NAME.log. Every build and login unpacks a fresh copy, so the image stays pristine.',
  args: [NAME],
  options: [
    HOST_ARCH,
    { flags: '--emulated', description: 'a host-architecture-only chroot run under qemu-user (needs binfmt_misc)' },
    { flags: '--suite <suite>', description: 'the Debian suite (default: configuration, else bookworm)' },
    { flags: '--mirror <url>', description: 'the Debian mirror (default: configuration, else http://deb.debian.org/debian)' },
    { flags: '--include <packages>', description: 'more packages, comma-separated (e.g. debhelper,distcc)', repeatable: true },
    NATIVE,
    HOST_BINARIES,
    LOCAL_REPO,
    DISABLE_LOCAL_REPO,
    LOCAL_CONFIG,
  ],
  json: true,
  jsonOutput:
    '{"name": "cross-arm64", "kind": "cross", "buildArch": "amd64", "hostArch": "arm64",\n' +
    ' "architectures": ["amd64", "arm64"], "suite": "bookworm", "mirror": "http://deb.debian.org/debian",\n' +
    ' "include": ["crossbuild-essential-arm64"], "image": "cross-arm64.tar.zst", "localRepo": "/…/repo",\n' +
    ' "command": ["mmdebstrap", …], "created": "…", "updated": "…", "bytes": 254000000}',
  examples: [
    { command: 'xdeb-chroot create -a arm64 bookworm-arm64', description: 'a cross chroot for arm64 (1–3 minutes)' },
    {
      command: 'xdeb-chroot create --emulated -a arm64 --native bookworm-arm64 emu-arm64',
      description: "an emulated arm64 chroot whose builds use the cross chroot's compilers natively",
    },
    {
      command: 'xdeb-chroot create --emulated -a arm64 --include debhelper --host-binaries --native bookworm-arm64 emu-fast',
      description: 'the same, and its builds run make, sh, sed, gzip… natively too',
    },
  ],
  exitStatus: [
    { code: 1, meaning: 'mmdebstrap failed for another reason (its errors are shown; the whole log is NAME.log)' },
    { code: 2, meaning: 'the mirror has no such suite, or a package given with --include is not in it' },
    {
      code: 3,
      meaning:
        'the mirror does not answer, mmdebstrap is missing, or (--emulated) this machine cannot run HOST programs: the message says how to enable binfmt_misc',
    },
  ],
  async run({ args, flags, out }) {
    const [{ openSession }, { createChroot }] = await Promise.all([import('../flows/session.js'), import('../flows/chroot-image.js')]);
    const session = openSession(sessionFlags(flags), out);
    if (!session.hostArchGiven) throw new UsageError('give the architecture to build for: -a HOST (or host-arch in xdeb.cfg)');
    const meta = await createChroot({
      dir: session.chrootDir,
      name: chrootName(args),
      kind: flags.boolean('emulated') ? 'emulated' : 'cross',
      hostArch: session.hostArch,
      suite: session.suite,
      mirror: session.mirror,
      include: flags
        .strings('include')
        .flatMap((x) => x.split(/[,\s]+/))
        .filter(Boolean),
      localRepo: chrootLocalRepo(flags, session),
      native: flags.string('native'),
      hostBinaries: flags.optionalString('hostBinaries'),
      out,
    });
    if (out.json) out.jsonData(meta);
    else
      out.data(
        `${meta.name}: ${meta.kind} chroot, ${meta.architectures.join(' + ')}, ${meta.suite}, ${((meta.bytes ?? 0) / 1e6).toFixed(0)} MB`,
      );
    return 0;
  },
};

const update: CommandSpec = {
  name: 'update',
  summary: 'apt-get update and dist-upgrade in a chroot, kept as its new image',
  description:
    'Runs apt-get update and apt-get dist-upgrade in a fresh copy of the chroot and packs it back as its\n' +
    "image (the local repository's lists are not kept: they go stale at the next publish). Needs root.",
  args: [NAME],
  options: [LOCAL_REPO, DISABLE_LOCAL_REPO, LOCAL_CONFIG],
  json: true,
  jsonOutput: 'the chroot\'s description, as xdeb-chroot create --json prints it, with the new "updated" and "bytes"',
  examples: [{ command: 'xdeb-chroot update bookworm-arm64', description: 'bring the chroot up to date with its suite' }],
  async run({ args, flags, out }) {
    const [{ openSession }, { updateChroot }] = await Promise.all([import('../flows/session.js'), import('../flows/chroot-image.js')]);
    const session = openSession(sessionFlags(flags), out);
    const meta = await updateChroot({ dir: session.chrootDir, name: chrootName(args), localRepo: chrootLocalRepo(flags, session), out });
    if (out.json) out.jsonData(meta);
    else out.data(`${meta.name}: updated, ${((meta.bytes ?? 0) / 1e6).toFixed(0)} MB`);
    return 0;
  },
};

const login: CommandSpec = {
  name: 'login',
  summary: 'a shell (or COMMAND) in a fresh copy of a chroot',
  description:
    'Unpacks a fresh copy, mounts /proc, /dev, the local repository (read-only) and each --bind\n' +
    'directory at its own path, and runs a login shell, or COMMAND after --, inside. When it ends, or\n' +
    'xdeb gets SIGTERM or SIGHUP, whatever still runs inside is stopped, everything is unmounted and the\n' +
    "copy removed; --save first packs the copy back as the chroot's image. Needs root.",
  args: [NAME, { name: 'command', description: 'a command to run instead of a shell (after --)', variadic: true }],
  options: [
    {
      flags: '--bind <dir>',
      description: 'also show this directory inside, at the same path (repeatable)',
      repeatable: true,
      complete: 'dir',
    },
    NATIVE,
    HOST_BINARIES,
    { flags: '--save', description: 'keep the changes: pack the copy back as the image when the shell exits' },
    LOCAL_REPO,
    DISABLE_LOCAL_REPO,
    LOCAL_CONFIG,
  ],
  examples: [
    { command: 'xdeb-chroot login bookworm-arm64', description: 'a shell in a throwaway copy' },
    { command: 'xdeb-chroot login --bind "$PWD" bookworm-arm64 -- dpkg --print-foreign-architectures', description: 'run one command' },
    {
      command: 'xdeb-chroot login --host-binaries=default --native bookworm-arm64 emu-arm64',
      description: 'an emulated chroot whose compilers and tools run natively; it says which',
    },
  ],
  exitStatus: [{ code: 0, meaning: 'otherwise: the exit status of the shell or COMMAND' }],
  async run({ args, flags, out }) {
    const [{ openSession }, { loginChroot }] = await Promise.all([import('../flows/session.js'), import('../flows/chroot-login.js')]);
    const session = openSession(sessionFlags(flags), out);
    return loginChroot({
      dir: session.chrootDir,
      name: chrootName(args),
      command: args.slice(1),
      binds: flags.strings('bind'),
      native: flags.string('native'),
      hostBinaries: flags.optionalString('hostBinaries'),
      save: flags.boolean('save'),
      localRepo: chrootLocalRepo(flags, session),
      out,
    });
  },
};

const list: CommandSpec = {
  name: 'list',
  summary: 'the chroots in chroot-dir',
  description: 'One line per chroot: name, kind, architectures, suite, image size, last update, and its native chroot if any.',
  options: [LOCAL_CONFIG],
  examples: [{ command: 'xdeb-chroot list', description: 'what chroots there are' }],
  json: true,
  jsonOutput: '{"dir": "/…/chroots", "chroots": [{"name": "…", "kind": "cross", …NAME.json…}, {"name": "broken", "problem": "…"}]}',
  async run({ flags, out }) {
    const [{ openSession }, { listChroots }] = await Promise.all([import('../flows/session.js'), import('../adapters/chroot.js')]);
    const dir = openSession(sessionFlags(flags), out).chrootDir;
    const all = listChroots(dir);
    if (out.json) {
      out.jsonData({ dir, chroots: all.map((c) => (c.meta ? c.meta : { name: c.name, problem: c.problem })) });
      return 0;
    }
    if (all.length === 0) out.info(`no chroots in ${dir} (xdeb-chroot create makes one)`);
    for (const c of all) {
      if (!c.meta) {
        out.data(`${c.name}\t(unusable: ${c.problem})`);
        continue;
      }
      const m = c.meta;
      out.data(
        [
          m.name,
          m.kind,
          m.architectures.join('+'),
          m.suite,
          `${((m.bytes ?? 0) / 1e6).toFixed(0)}MB`,
          m.updated.slice(0, 16).replace('T', ' '),
          m.native ? `native=${m.native}` : '',
        ]
          .join('\t')
          .trimEnd(),
      );
    }
    return 0;
  },
};

const remove: CommandSpec = {
  name: 'remove',
  summary: 'delete chroots (their image, description and log)',
  args: [{ ...NAME, variadic: true }],
  options: [LOCAL_CONFIG],
  examples: [{ command: 'xdeb-chroot remove emu-arm64', description: 'delete that chroot' }],
  async run({ args, flags, out }) {
    const [{ openSession }, { removeChroot }] = await Promise.all([import('../flows/session.js'), import('../adapters/chroot.js')]);
    const dir = openSession(sessionFlags(flags), out).chrootDir;
    for (const name of args) {
      await removeChroot(dir, name);
      out.info(`removed chroot ${name}`);
    }
    return 0;
  },
};

const spec: CommandSpec = {
  name: 'chroot',
  summary: 'create and use build environments (cross and emulated chroots)',
  description:
    'Chroots for clean builds: cross chroots (the build architecture plus HOST) and emulated ones (HOST\n' +
    'only, under qemu-user), made by mmdebstrap and kept as images in chroot-dir. xdeb-build --chroot NAME\n' +
    'and xdeb-sequence --chroot NAME build in a fresh copy of one; --native and --distcc make builds in an\n' +
    'emulated chroot faster. See docs/xdeb-chroot.md and docs/emulation.md.',
  subcommands: [create, update, login, list, remove],
  standalone: true,
  files: [
    { path: 'CHROOT-DIR/NAME.tar.zst', description: 'the image of chroot NAME (chroot-dir: default ~/.local/share/xdeb/chroots)' },
    { path: 'CHROOT-DIR/NAME.json', description: 'its description (kind, architectures, suite, mirror, the mmdebstrap command)' },
    { path: 'CHROOT-DIR/NAME.log', description: "mmdebstrap's output when it was made" },
    { path: 'CHROOT-DIR/.sessions/', description: 'the copies of running sessions (removed at their end)' },
  ],
  seeAlso: ['xdeb-build', 'xdeb-sequence', 'mmdebstrap(1)', 'chroot(8)', 'qemu-user-static(1)', 'distcc(1)'],
};
export default spec;
