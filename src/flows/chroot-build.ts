// xdeb-build --chroot NAME (and xdeb-sequence, which builds through buildOne): each build runs in
// a fresh session of the stored chroot. xdeb itself stays outside and drives the Debian tools
// inside: the build-dependencies are resolved from the chroot's apt lists and dpkg status (read
// from outside through an apt configuration rooted in the copy) and installed by apt-get inside;
// dpkg-source, dpkg-checkbuilddeps and dpkg-buildpackage run inside with chroot(8); the ELF
// check and putresult read the results outside, where they land through bind mounts at the same
// paths. Neither node nor xdeb need to be in the chroot, so one xdeb drives chroots of any
// architecture, emulated ones included (docs/xdeb-chroot.md).

import { defaultProfiles } from '../lib/build-deps.js';
import type { ChrootMeta } from '../lib/chroot-spec.js';
import { UsageError } from '../lib/errors.js';
import type { Output } from '../ui/output.js';
import { readChrootMeta, withChrootSession } from '../adapters/chroot.js';
import type { ChrootCompilers } from './build.js';
import type { BuildContext } from './satisfy.js';

/** A build's architectures and profiles in a chroot: its own build architecture; the host one from -a or configuration, else the chroot's. */
export function chrootTarget(ctx: BuildContext, meta: ChrootMeta): Pick<BuildContext, 'buildArch' | 'hostArch' | 'profiles'> {
  const hostArch = ctx.session.hostArchGiven ? ctx.hostArch : meta.hostArch;
  if (!meta.architectures.includes(hostArch)) {
    throw new UsageError(
      `chroot ${meta.name} cannot build for ${hostArch}: it has ${meta.architectures.join(', ')} (xdeb-chroot create -a ${hostArch} NAME makes one that can)`,
    );
  }
  // The step's or the user's profiles; else the defaults for the chroot's build architecture
  // (an emulated chroot builds natively: no cross profile).
  const profiles = ctx.profilesGiven ? ctx.profiles : defaultProfiles(meta.buildArch, hostArch);
  return { buildArch: meta.buildArch, hostArch, profiles };
}

export async function withBuildChroot<T>(
  name: string,
  ctx: BuildContext,
  opts: ChrootCompilers,
  out: Output,
  fn: (inner: BuildContext) => Promise<T>,
): Promise<T> {
  const dir = ctx.session.chrootDir;
  const meta = readChrootMeta(dir, name);
  const native = typeof opts.native === 'string' ? opts.native : opts.native === false ? undefined : meta.native;
  if (native && opts.distcc)
    throw new UsageError('--native and --distcc exclude each other: the native compilers already run at full speed here');
  const target = chrootTarget(ctx, meta);
  const { hostArch } = target;
  // The configured scheduler serves the builds it can (cross chroots, compilers not sent elsewhere); --icecream must.
  const configured = opts.icecream === undefined ? ctx.session.cfg.string('icecream') : undefined;
  const icecreamFits = !native && !opts.distcc && meta.buildArch !== hostArch;
  if (configured && !icecreamFits)
    out.info(`chroot ${name}: the configured icecream scheduler is not used (${opts.distcc ? '--distcc' : 'not a cross chroot'})`);
  const icecream = opts.icecream === false ? undefined : (opts.icecream ?? (icecreamFits ? configured : undefined));
  if (opts.icecreamEnv && !icecream) throw new UsageError('--icecream-env needs --icecream SCHEDULER');
  if (typeof opts.icecream === 'string') {
    if (opts.distcc) throw new UsageError('--icecream and --distcc exclude each other: a compile job goes to one of them');
    if (native)
      throw new UsageError(
        '--icecream and --native exclude each other: give --icecream a cross chroot (its bundle is a cross compiler of this machine)',
      );
    if (meta.buildArch === hostArch)
      throw new UsageError(
        `--icecream sends a bundle of a cross compiler that runs on this machine: chroot ${name} builds natively for ${hostArch}; give a cross chroot`,
      );
  }
  const icePlan = icecream
    ? await (await import('../adapters/icecream.js')).prepareIcecream({ scheduler: icecream, bundle: opts.icecreamEnv })
    : undefined;
  const localRepo = ctx.session.localRepo.use ? ctx.session.localRepo.dir : undefined;
  return withChrootSession({ dir, name, localRepo, native, out }, async (s) => {
    if (native) {
      const { setupNativeCompilers } = await import('../adapters/native-compilers.js');
      const n = await setupNativeCompilers(
        s,
        (m) => out.warn(m),
        (m) => out.info(m),
      );
      out.info(`chroot ${name}: ${n.wrappers.length} compiler names run the native ${n.triplet}-gcc-${n.major} of chroot ${native}`);
      s.logFields.push(['Native Compilers', `${n.triplet}-gcc-${n.major} of chroot ${native}`]);
    }
    // The chroot's own list goes with its native compilers (--no-native: plain emulation); a list given here needs them.
    const hostBinaries =
      opts.hostBinaries === false
        ? undefined
        : opts.hostBinaries !== undefined
          ? opts.hostBinaries
          : native
            ? meta.hostBinaries
            : undefined;
    if (hostBinaries !== undefined) {
      if (!native) throw new UsageError('--host-binaries come from the native chroot: give --native NAME (or drop --no-native)');
      const { setupHostBinaries, settlePerl } = await import('../adapters/host-binaries.js');
      const list =
        hostBinaries === true ? [] : typeof hostBinaries === 'string' ? hostBinaries.split(/[,\s]+/).filter(Boolean) : hostBinaries;
      const h = await setupHostBinaries(s, list, (m) => out.info(m));
      if (h.absent.length) out.info(`chroot ${name}: not installed, so not swapped: ${h.absent.join(', ')}`);
      const field: [string, string] = ['Host Binaries', ''];
      const say = (tools: readonly { name: string; version: string }[]) => {
        field[1] = tools.map((t) => `${t.name} ${t.version}`).join(', ') || '(none)';
      };
      say(h.tools);
      s.logFields.push(field);
      // Once the build-dependencies are in: perl stays native only if this build may have it.
      s.beforeBuild = async (buildDepends) => say(await settlePerl(s, buildDepends, (m) => out.warn(m)));
    }
    if (opts.distcc) {
      const { setupDistcc } = await import('../adapters/distcc.js');
      const d = await setupDistcc(s, opts.distcc, hostArch, (m) => out.info(m));
      out.info(`chroot ${name}: compile jobs go to ${d.env.DISTCC_HOSTS} as ${d.compiler}`);
    }
    if (icePlan) {
      const { setupIcecream, icecreamSummary, icecreamCounts } = await import('../adapters/icecream.js');
      const ice = await setupIcecream(s, icePlan, hostArch, (m) => out.info(m));
      const daemons = ice.daemons.map((d) => `${d.node} (${d.address})`).join(', ');
      out.info(`chroot ${name}: compile jobs go through icecream scheduler ${ice.scheduler} to ${daemons} as ${ice.compiler}`);
      s.logFields.push([
        'Icecream',
        `scheduler ${ice.scheduler}; daemons ${daemons}; bundle ${ice.bundle.replace(/^.*\//, '')} (${ice.compiler})`,
      ]);
      s.compileJobs = () => icecreamCounts(s);
      s.checkInterrupted();
      try {
        return await fn({ ...ctx, ...target, inside: s });
      } finally {
        out.info(icecreamSummary(s, ice));
      }
    }
    s.checkInterrupted();
    return fn({ ...ctx, ...target, inside: s });
  });
}
