// The toolchain of a new port in the order rebootstrap builds it (helmutg/rebootstrap,
// bootstrap.sh): cross binutils, the host's kernel headers, a C-only cross gcc, glibc's headers
// and start files, gcc with libgcc, glibc, the full cross gcc. Each stage says what it makes, why
// it comes there, and what bookworm's Sources declare for it (docs/bootstrap-from-scratch.md).

export interface ToolchainStage {
  source: string;
  /** The stage as rebootstrap names it; null for a full build. */
  stage: 'stage1' | 'stage2' | null;
  /** 'native': built on the build architecture for the host as its target (a cross tool); 'host': cross-built with -a HOST. */
  build: 'native' | 'host';
  /** What the build makes. */
  what: string;
  /** Why it comes at this place. */
  why: string;
  /** How the source selects the stage (Build-Profiles, DEB_STAGE), as bookworm's Sources declare it. */
  evidence: string;
}

export interface ToolchainOptions {
  /** The host architecture (arm64). */
  hostArch?: string;
  /** Its GNU type (aarch64-linux-gnu), for the cross packages' names. */
  gnuType?: string;
  /** The gcc source to stage; default the highest gcc-N of the set. */
  gcc?: string;
}

type Role = 'binutils' | 'linux' | 'gcc' | 'glibc';

interface StageTemplate {
  role: Role;
  stage: ToolchainStage['stage'];
  build: ToolchainStage['build'];
  what: (n: Names) => string;
  why: (n: Names) => string;
  evidence: string;
}

interface Names {
  host: string;
  gnu: string;
  /** gcc's version suffix: '12' of gcc-12. */
  v: string;
}

// bookworm's Sources, the highest version of each (read from /work/shared/data/bookworm/Sources.xz).
const GCC_EVIDENCE =
  "not a build profile: bookworm's gcc-12 12.2.0-14+deb12u1 declares only <cross>, <!cross> and <!nocheck>; the stage is DEB_STAGE, with which debian/rules rewrites debian/control (-T control), so the Build-Depends in Sources (libc6-dev, …) are those of the full build";

const ORDER: readonly StageTemplate[] = [
  {
    role: 'binutils',
    stage: null,
    build: 'native',
    what: (n) => `binutils-${n.gnu}: the cross assembler and linker (TARGET=${n.host}, a build-architecture build)`,
    why: (n) => `every later stage assembles and links ${n.host} objects`,
    evidence: "no stage profile: bookworm's binutils 2.40-2 declares <!nocheck> only (rebootstrap builds it with -Pnocheck)",
  },
  {
    role: 'linux',
    stage: 'stage1',
    build: 'host',
    what: (n) => `linux-libc-dev:${n.host} alone: the kernel's user-space headers`,
    why: (n) =>
      `gcc stage1 is built against ${n.host}'s kernel headers (rebootstrap installs linux-libc-dev:${n.host} before it), and glibc needs them`,
    evidence:
      "Build-Profiles stage1: in bookworm's linux 6.1.176-1 every binary but linux-libc-dev is profile=!stage1; Build-Depends drops cpio, xz-utils, dh-python, bison, flex <!stage1> and all of Build-Depends-Arch (<!pkg.linux.nokernel !stage1>, …); pkg.linux.nokernel, notools, mintools, nometa, nosource, quick are offered besides",
  },
  {
    role: 'gcc',
    stage: 'stage1',
    build: 'native',
    what: (n) => `gcc-${n.v}-${n.gnu}: a C compiler for ${n.host} without any libc (DEB_STAGE=stage1, debian/target=${n.host})`,
    why: () => 'glibc needs a C compiler for the host, and nothing of the libc exists yet',
    evidence: GCC_EVIDENCE,
  },
  {
    role: 'glibc',
    stage: 'stage1',
    build: 'host',
    what: (n) => `libc6-dev:${n.host} only: the headers and the start files (crt*.o), -Pstage1,nobiarch`,
    why: () => 'gcc stage2 needs them to build libgcc',
    evidence:
      "Build-Profiles stage1: in bookworm's glibc 2.36-9+deb12u14 libc6, libc-bin, libc-dev-bin, locales, nscd … are profile=!stage1 and libc6-dev has none; but its Build-Depends still ask the host's libaudit-dev, libcap-dev <!stage2> and libselinux1-dev <!stage2> in stage1 (rebootstrap builds it with -d, installing only what stage1 uses)",
  },
  {
    role: 'gcc',
    stage: 'stage2',
    build: 'native',
    what: (n) => `gcc-${n.v}-${n.gnu} with libgcc, C only (DEB_STAGE=stage2)`,
    why: () => 'glibc links against libgcc_s',
    evidence: GCC_EVIDENCE,
  },
  {
    role: 'glibc',
    stage: 'stage2',
    build: 'host',
    what: (n) => `libc6, libc6-dev, libc-bin … for ${n.host}, without libcap and SELinux support (-Pstage2,nobiarch)`,
    why: (n) => `the full cross compiler needs the whole libc, and libcap2 and libselinux are not built for ${n.host} yet`,
    evidence:
      "Build-Profiles stage2: bookworm's glibc 2.36-9+deb12u14 has libcap-dev <!stage2>, libselinux1-dev <!stage2>, libgd-dev <!stage1 !stage2> in Build-Depends and libc-devtools profile=!stage1+!stage2",
  },
  {
    role: 'gcc',
    stage: null,
    build: 'native',
    what: (n) =>
      `the full cross compiler (gcc-${n.v}-${n.gnu}, g++-${n.v}-${n.gnu}, …) and ${n.host}'s runtime libraries (libgcc-s1, libstdc++6, …: with_deps_on_target_arch_pkgs=yes)`,
    why: () => 'libstdc++ and the other runtimes need the whole libc; from here on sources cross-build as usual',
    evidence: "no DEB_STAGE: rebootstrap's gcc stage3, a build-architecture build with debian/target set to the host",
  },
  {
    role: 'glibc',
    stage: null,
    build: 'host',
    what: (n) => `glibc in full for ${n.host} (libcap and SELinux support, libc-devtools)`,
    why: (n) => `the plan's final build, once libcap2, libselinux (and libgd) are built for ${n.host}`,
    evidence: 'no profile: the Build-Depends of the full build, libcap-dev and libselinux1-dev included',
  },
];

/** gcc-N sources of a set, highest N first. */
function gccSources(sources: ReadonlySet<string>): string[] {
  return [...sources].filter((s) => /^gcc-\d+$/.test(s)).sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
}

/**
 * The toolchain stages of a plan's sources in rebootstrap's order: binutils, linux (stage1),
 * gcc (stage1), glibc (stage1), gcc (stage2), glibc (stage2), gcc, glibc. A source the set lacks
 * is left out with its stages.
 */
export function toolchainStageOrder(sources: ReadonlySet<string>, opts: ToolchainOptions = {}): ToolchainStage[] {
  const gcc = opts.gcc ?? gccSources(sources)[0];
  const host = opts.hostArch ?? 'HOST';
  const names: Names = { host, gnu: opts.gnuType ?? `<${host} GNU type>`, v: gcc ? gcc.slice(4) : 'N' };
  const sourceOf: Record<Role, string | undefined> = {
    binutils: sources.has('binutils') ? 'binutils' : undefined,
    linux: sources.has('linux') ? 'linux' : undefined,
    gcc: gcc && sources.has(gcc) ? gcc : undefined,
    glibc: sources.has('glibc') ? 'glibc' : undefined,
  };
  const out: ToolchainStage[] = [];
  for (const t of ORDER) {
    const source = sourceOf[t.role];
    if (!source) continue;
    out.push({ source, stage: t.stage, build: t.build, what: t.what(names), why: t.why(names), evidence: t.evidence });
  }
  return out;
}

/** The stages as text: one numbered line each, with why and the evidence indented below. */
export function formatToolchainStages(stages: readonly ToolchainStage[], opts: { evidence?: boolean } = {}): string {
  if (stages.length === 0) return 'toolchain: none of binutils, linux, gcc-N, glibc is in the plan\n';
  const lines = ["toolchain, in the order rebootstrap builds it (a source's final build still comes where the plan puts it):"];
  const width = Math.max(...stages.map((s) => `${s.source} ${s.stage ?? 'full'}`.length));
  stages.forEach((s, i) => {
    const label = `${s.source} ${s.stage ?? 'full'}`.padEnd(width);
    lines.push(`  ${String(i + 1).padStart(2)}. ${label}  ${s.build === 'native' ? 'native, ' : '-a host, '}${s.what}`);
    lines.push(`      why: ${s.why}`);
    if (opts.evidence !== false) lines.push(`      evidence: ${s.evidence}`);
  });
  return lines.join('\n') + '\n';
}
