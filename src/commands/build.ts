import { UsageError } from '../lib/errors.js';
import type { CommandSpec } from '../ui/spec.js';
import { CHROOT_BUILD, HOST_ARCH, PROFILES, REPO_SELECTION, ROOT_CMD, sessionFlags } from './common-options.js';
import { TOOLCHAIN } from './toolchain-option.js';

const spec: CommandSpec = {
  name: 'build',
  summary: 'satisfydepends, runbuild and putresult for one package at a time',
  description:
    'For each SOURCE in order: install its build-dependencies (xdeb-satisfydepends), build it for the host\n' +
    'architecture (xdeb-runbuild), and publish the results into the local repository (xdeb-putresult), where\n' +
    'the next SOURCE finds them. Stops at the first failure and names the step that failed.',
  args: [
    { name: 'source', description: 'source tree, .dsc file or source package name', variadic: true, required: true, complete: 'source' },
  ],
  options: [
    HOST_ARCH,
    PROFILES,
    ...REPO_SELECTION,
    { flags: '--local-suite <suite>', description: 'also read this suite of the local repository (default: full)', repeatable: true },
    ROOT_CMD,
    ...CHROOT_BUILD,
    { flags: '--sign-key <key>', description: 'sign the local repository with this gpg key' },
    {
      flags: '--keep-versions <n>',
      description: 'keep this many newest versions of each source in the repository (0: all)',
      integer: true,
    },
    { flags: '--no-publish', description: 'build, but do not publish into the local repository' },
    {
      flags: '--binnmu <n>',
      description: "build binNMU N of a .dsc or a source by name (version +bN, binary-only; as sbuild's --binNMU)",
      integer: true,
    },
    { flags: '--output-dir <dir>', description: 'where the .changes and .debs go (default: beside the source tree)', complete: 'dir' },
    { flags: '--log-dir <dir>', description: 'where build logs go', complete: 'dir' },
    { flags: '-e, --explain', description: 'show where each build-dependency goes and why' },
    {
      flags: '--drop-build-depends <packages>',
      description:
        'build without these build-dependencies (binary package names, comma-separated): not installed, and dpkg-buildpackage -d',
      repeatable: true,
    },
    TOOLCHAIN,
    {
      flags: '--compare <archive|chroot>',
      description:
        "compare each build with the repositories' packages of the same version (archive), or with a native build in this emulated chroot (xdeb compare-builds)",
      complete: 'chroot',
    },
  ],
  json: true,
  jsonOutput:
    '{"builds": [{"source": "hello", "version": "2.10-3", "buildArch": "amd64", "hostArch": "arm64",\n' +
    '             "profiles": ["cross", "nocheck"], "changes": "/…/hello_2.10-3_arm64.changes", "log": "/…/hello_2.10-3_arm64.build",\n' +
    '             "repository": "/…/repo", "suite": "full", "flavour": "a53" (with --toolchain),\n' +
    '             "seconds": {"satisfydepends": 3.1, "runbuild": 40.2, "dpkgBuildpackage": 38.9, "putresult": 0.4}}]}\n\n' +
    'With --toolchain, "flavour" names the flavour (suite flavour-NAME); with configured uploads (docs/repositories.md),\n' +
    '"uploads": {"queued": 1, "uploaded": 1, "failed": 0, "pending": 0}. With --compare, "comparison": what xdeb compare-builds --json prints.\n' +
    'repository and suite are absent with --no-publish. On failure nothing is printed on stdout and the\n' +
    'exit status tells why (1: unsatisfiable or the build failed, 2: bad input, 3: environment).',
  standalone: true,
  examples: [
    { command: 'xdeb-build -a arm64 .', description: 'cross-build the source tree here and publish it into the local repository' },
    { command: 'xdeb-build -a arm64 libfoo/ foo/', description: 'build libfoo, publish it, then build foo against it' },
    { command: 'xdeb-build -a arm64 hello', description: 'fetch hello with apt-get source (deb-src needed) and cross-build it' },
    {
      command: 'xdeb-build -a arm64 --toolchain a53 libfoo/ foo/',
      description: 'a flavoured build of both (suite flavour-a53): foo is built against the a53 flavour of libfoo',
    },
    { command: 'xdeb-build --chroot bookworm-arm64 .', description: 'cross-build in a fresh copy of a chroot made by xdeb-chroot create' },
    {
      command: 'xdeb-build -a arm64 --drop-build-depends swig,python3-all-dev libselinux',
      description:
        'a first build without the python bindings: swig and python3-all-dev are not installed, and dpkg-buildpackage runs with -d',
    },
    {
      command: 'xdeb-build --chroot emu-arm64 --native bookworm-arm64 -P nocheck .',
      description: 'build in an emulated arm64 chroot with native compilers',
    },
  ],
  exitStatus: [
    {
      code: 1,
      meaning:
        'a build-dependency cannot be satisfied, or a build failed (the message names the step); with --compare, a build differs from its reference',
    },
  ],
  async run({ args, flags, out }) {
    const [{ runBuilds }, { openSession }, { parseDropList }] = await Promise.all([
      import('../flows/build.js'),
      import('../flows/session.js'),
      import('../lib/build-deps.js'),
    ]);
    const session = openSession(sessionFlags(flags), out);
    const builds = await runBuilds(session, {
      sources: args,
      repo: flags.strings('repo'),
      localSuites: flags.strings('localSuite'),
      explain: flags.boolean('explain'),
      publish: flags.boolean('publish'),
      outputDir: flags.string('outputDir'),
      logDir: flags.string('logDir'),
      keepVersions: flags.integer('keepVersions'),
      dropBuildDepends: parseDropList(flags.strings('dropBuildDepends')),
      ...binNmuFlag(flags.integer('binnmu')),
      native: flags.stringOrOff('native'),
      distcc: flags.optionalString('distcc'),
      icecream: flags.stringOrOff('icecream'),
      icecreamEnv: flags.string('icecreamEnv'),
      hostBinaries: flags.optionalStringOrOff('hostBinaries'),
    });
    const compare = flags.string('compare');
    const [cmp, lib] = compare ? await Promise.all([import('../flows/compare-builds.js'), import('../lib/deb-compare.js')]) : [];
    const comparisons: import('../lib/deb-compare.js').BuildComparison[] = [];
    if (cmp) {
      const ref = compare === 'archive' ? ({ kind: 'archive' } as const) : ({ kind: 'chroot', name: compare! } as const);
      for (const [i, b] of builds.entries()) comparisons.push(await cmp.compareWithReference(session, b, args[i]!, ref, {}));
    }
    if (out.json) out.jsonData({ builds: builds.map((b, i) => (comparisons[i] ? { ...b, comparison: comparisons[i] } : b)) });
    else
      for (const [i, b] of builds.entries()) {
        out.data(`${b.source} ${b.version} ${b.hostArch}: built${b.suite ? `, published to ${b.repository} (${b.suite})` : ''}`);
        if (comparisons[i] && lib) out.data(lib.formatComparison(comparisons[i]!).trimEnd());
      }
    return comparisons.some((c) => !c.equivalent) ? 1 : 0;
  },
};
export default spec;

/** --binnmu N: a positive number. */
function binNmuFlag(n: number | undefined): { binNMU?: number } {
  if (n === undefined) return {};
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--binnmu must be a positive number, not ${n}`);
  return { binNMU: n };
}
