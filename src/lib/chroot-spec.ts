// What an xdeb chroot is, as data: its name, its metadata file, the image it is kept in, and the
// mmdebstrap command that makes it. The layout is a contract with shell completion
// (docs/configuration.md): in chroot-dir, chroot NAME is the image NAME.tar.zst with its
// metadata NAME.json beside it; entries ending in .lock, .tmp or .log are not chroots.

import { InputError, UsageError } from './errors.js';

export type ChrootKind = 'cross' | 'emulated';

export interface ChrootMeta {
  format: 1;
  name: string;
  /** cross: build arch + host arch (multiarch); emulated: the host arch only, run under qemu-user. */
  kind: ChrootKind;
  /** The architecture of the chroot's own tools (dpkg --print-architecture inside). */
  buildArch: string;
  /** The architecture builds in it are for unless -a says otherwise. */
  hostArch: string;
  /** Every architecture dpkg has enabled inside. */
  architectures: string[];
  suite: string;
  mirror: string;
  /** Packages asked for beyond the variant (crossbuild-essential-HOST, --include). */
  include: string[];
  /** The image file, beside the metadata. */
  image: string;
  /** The local repository configured as an apt source inside, when the chroot was made. */
  localRepo?: string;
  /** For an emulated chroot: the cross chroot whose compilers are used natively by default. */
  native?: string;
  /** For an emulated chroot: the tools its builds run natively by default (lib/host-binaries.ts; [] the default list). */
  hostBinaries?: string[];
  /** The mmdebstrap command that made it. */
  command: string[];
  created: string;
  updated: string;
  /** Size of the image in bytes. */
  bytes?: number;
}

export const CHROOT_META_FORMAT = 1;
/** Entries of chroot-dir that are never chroots (shared with shell completion). */
export const NOT_CHROOT_SUFFIXES = ['.lock', '.tmp', '.log'] as const;
const IMAGE_SUFFIXES = ['.tar.zst', '.tar.gz', '.tar.xz', '.tar', '.squashfs', '.sqfs'] as const;

/** A chroot name is a file name: lower-case letters, digits and . _ + -, not starting with a dot. */
export function checkChrootName(name: string): string {
  if (!/^[a-z0-9][a-z0-9._+-]*$/.test(name) || name.length > 100) {
    throw new UsageError(`'${name}' is not a chroot name (letters a-z, digits and . _ + -, starting with a letter or digit)`);
  }
  if (NOT_CHROOT_SUFFIXES.some((s) => name.endsWith(s)) || name.endsWith('.json') || IMAGE_SUFFIXES.some((s) => name.endsWith(s))) {
    throw new UsageError(`'${name}' is not a chroot name: it ends like the files beside a chroot (.json, .tar.*, .lock, .tmp, .log)`);
  }
  return name;
}

export function imageFileName(name: string): string {
  return `${name}.tar.zst`;
}
export function metaFileName(name: string): string {
  return `${name}.json`;
}
export function lockFileName(name: string): string {
  return `${name}.lock`;
}

/** The chroot names among the entries of chroot-dir, as completion reads them. */
export function chrootNames(entries: readonly string[]): string[] {
  const names = new Set<string>();
  for (const e of entries) {
    if (e.startsWith('.') || NOT_CHROOT_SUFFIXES.some((s) => e.endsWith(s))) continue;
    let n = e.endsWith('.json') ? e.slice(0, -5) : e;
    for (const s of IMAGE_SUFFIXES) if (n.endsWith(s)) n = n.slice(0, -s.length);
    if (n) names.add(n);
  }
  return [...names].sort();
}

/** Read a NAME.json; anything missing or of the wrong type is an InputError naming the file. */
export function parseChrootMeta(text: string, file: string): ChrootMeta {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not JSON: ${(e as Error).message}`, { file });
  }
  const o = v as Record<string, unknown>;
  const need = (k: string, type: 'string' | 'array') => {
    const ok =
      type === 'array' ? Array.isArray(o?.[k]) && (o[k] as unknown[]).every((x) => typeof x === 'string') : typeof o?.[k] === 'string';
    if (!ok) throw new InputError(`'${k}' is missing or not a ${type === 'array' ? 'list of strings' : 'string'}`, { file });
  };
  if (!o || typeof o !== 'object') throw new InputError('not a chroot description', { file });
  if (o.format !== CHROOT_META_FORMAT)
    throw new InputError(`unknown format ${JSON.stringify(o.format)} (this xdeb reads format ${CHROOT_META_FORMAT})`, { file });
  for (const k of ['name', 'kind', 'buildArch', 'hostArch', 'suite', 'mirror', 'image', 'created', 'updated']) need(k, 'string');
  for (const k of ['architectures', 'include', 'command']) need(k, 'array');
  if (o.kind !== 'cross' && o.kind !== 'emulated')
    throw new InputError(`kind must be cross or emulated, not '${String(o.kind)}'`, { file });
  if ((o.image as string).includes('/'))
    throw new InputError(`image must be a file name beside the description, not '${String(o.image)}'`, { file });
  return o as unknown as ChrootMeta;
}

export interface CreatePlanInput {
  name: string;
  kind: ChrootKind;
  /** The machine's architecture (dpkg --print-architecture). */
  machineArch: string;
  hostArch: string;
  suite: string;
  mirror: string;
  include: readonly string[];
  /** Not root: mmdebstrap's unshare mode. */
  unshare: boolean;
  /** Where mmdebstrap writes the image. */
  output: string;
  /** The sources.list line of the local repository, written into the chroot. */
  localRepoLine?: string;
}

export interface CreatePlan {
  architectures: string[];
  buildArch: string;
  include: string[];
  argv: string[];
}

/** Quote a word for sh. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The file inside the chroot that points apt at the local repository. */
export const LOCAL_REPO_SOURCES = '/etc/apt/sources.list.d/xdeb-local.list';

/**
 * The mmdebstrap command. A cross chroot has the machine's architecture first (dpkg's native one)
 * and the host one enabled, with crossbuild-essential-HOST; an emulated one has the host
 * architecture only and runs under qemu-user. Both are the buildd variant and keep their apt
 * lists, so that xdeb can read them without an apt-get update before every build.
 */
/**
 * dpkg's filter in every chroot: no documentation but the copyright files. A set rebuilt from source installs its Multi-Arch: same
 * libraries for the host beside the archive's build-architecture copies in the chroot, and dpkg refuses two copies whose shared files
 * differ; a rebuild's changelog.Debian.gz often does (dh_installchangelogs trims by its own cutoff date, which an older archive build
 * did not). Files dpkg does not unpack are not compared.
 */
export const DPKG_EXCLUDES_FILE = '/etc/dpkg/dpkg.cfg.d/xdeb-excludes';
export const DPKG_EXCLUDES = ['path-exclude=/usr/share/doc/*', 'path-include=/usr/share/doc/*/copyright'];

export function planCreate(p: CreatePlanInput): CreatePlan {
  const emulated = p.kind === 'emulated';
  if (!emulated && p.hostArch === p.machineArch) {
    throw new UsageError(
      `a cross chroot for ${p.hostArch} on ${p.machineArch} would be a native one: give -a with another architecture, or --emulated`,
    );
  }
  if (emulated && p.hostArch === p.machineArch) {
    throw new UsageError(
      `--emulated is for a foreign architecture; ${p.hostArch} runs natively here (make a cross chroot with -a HOST instead)`,
    );
  }
  const architectures = emulated ? [p.hostArch] : [p.machineArch, p.hostArch];
  const include = [...(emulated ? [] : [`crossbuild-essential-${p.hostArch}`]), ...p.include.filter((x) => x.trim())];
  const argv = [
    'mmdebstrap',
    `--mode=${p.unshare ? 'unshare' : 'root'}`,
    '--variant=buildd',
    `--architectures=${architectures.join(',')}`,
    ...(include.length ? [`--include=${include.join(',')}`] : []),
    '--skip=cleanup/apt/lists',
    ...DPKG_EXCLUDES.map((o) => `--dpkgopt=${o}`),
    `--customize-hook=printf '%s\\n' ${DPKG_EXCLUDES.map(shellQuote).join(' ')} > "$1${DPKG_EXCLUDES_FILE}"`,
    `--customize-hook=echo ${shellQuote(p.name)} > "$1/etc/debian_chroot"`,
    // Builds install man-db with debhelper; its index rebuilds are slow, under emulation very slow.
    `--customize-hook=echo 'man-db man-db/auto-update boolean false' | chroot "$1" debconf-set-selections`,
    ...(p.localRepoLine ? [`--customize-hook=echo ${shellQuote(p.localRepoLine)} > "$1${LOCAL_REPO_SOURCES}"`] : []),
    p.suite,
    p.output,
    ...mirrorLines(p.mirror, p.suite),
  ];
  return { architectures, buildArch: architectures[0]!, include, argv };
}

/**
 * The chroot's sources.list lines for a mirror URL: the binary packages, and the sources (deb-src) so that a source named on the
 * command line is found and fetched from the mirror the chroot was made from, in its suite — not from the machine's apt, whose
 * release and suites may differ. A MIRROR given as a sources.list line is used as it is.
 */
export function mirrorLines(mirror: string, suite: string): string[] {
  if (/^deb(-src)?\s/.test(mirror)) return [mirror];
  return [`deb ${mirror} ${suite} main`, `deb-src ${mirror} ${suite} main`];
}

/**
 * The deb-src lines a one-line-style sources.list lacks: one for each `deb` line that has no `deb-src` twin (a chroot made before
 * xdeb added them). [] when nothing is missing.
 */
export function missingSourceLines(sourcesList: string): string[] {
  const lines = sourcesList.split('\n').map((l) => l.trim());
  const rest = (l: string, type: string) =>
    l
      .slice(type.length)
      .trim()
      .replace(/^\[[^\]]*\]\s*/, '');
  const have = new Set(lines.filter((l) => l.startsWith('deb-src ')).map((l) => rest(l, 'deb-src')));
  return lines.filter((l) => l.startsWith('deb ') && !have.has(rest(l, 'deb'))).map((l) => `deb-src ${rest(l, 'deb')}`);
}

/** apt's list file names for a file: repository ('/a/b' → '_a_b_dists_…'), to drop stale copies. */
export function aptListPrefix(repoDir: string): string {
  return repoDir.replace(/\/+$/, '').replace(/\//g, '_') + '_';
}
