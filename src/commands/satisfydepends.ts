import type { CommandSpec } from '../ui/spec.js';
import { HOST_ARCH, IMPLICIT_SETS, PROFILES, REPO_SELECTION, RESOLVER_MODES, ROOT_CMD, sessionFlags } from './common-options.js';
import { TOOLCHAIN } from './toolchain-option.js';

const spec: CommandSpec = {
  name: 'satisfydepends',
  summary: 'decide which build-dependencies are native and which cross, check and install them',
  description:
    'Reads the build-dependencies of each SOURCE (a source tree, a .dsc, or a source package name from the\n' +
    'repositories in use), reduces them for the host architecture and profiles, places each one on the build\n' +
    'or the host architecture by the Multi-Arch rules, checks with a real resolver that the whole set can be\n' +
    'installed together from the repositories in use, and installs it with apt. --list only reports.',
  args: [{ name: 'source', description: 'source tree, .dsc file or source package name', variadic: true, complete: 'source' }],
  options: [
    HOST_ARCH,
    PROFILES,
    { flags: '-l, --list', description: 'report only: install nothing' },
    { flags: '-e, --explain', description: 'say why each dependency lands on its architecture, and list what would be installed' },
    { flags: '-B, --arch-only', description: 'only what arch-dependent packages need (the default for a cross build)' },
    { flags: '-A, --indep', description: 'only what arch-independent packages need (Build-Depends-Indep)' },
    { flags: '--all', description: 'check every source of the repositories in use (an archive-wide cross-satisfiability report)' },
    {
      flags: '--repo <file|url>',
      description: "also use this Packages/Sources file, or a repository 'URL SUITE [COMPONENT…]'",
      repeatable: true,
      complete: 'file',
    },
    ...REPO_SELECTION,
    { ...TOOLCHAIN, description: "read the local repository's suite of this toolchain's flavour first (as xdeb-build --toolchain does)" },
    {
      flags: '--local-suite <suite>',
      description: 'read this suite of the local repository (default: full; repeatable, e.g. staged-stage1)',
      repeatable: true,
    },
    {
      flags: '--mode <mode>',
      description: 'where apt, dose and dpkg disagree, follow this one (docs/conformance.md)',
      choices: RESOLVER_MODES,
      default: 'apt',
    },
    {
      flags: '--implicit <set>',
      description:
        'implicit build-dependencies: sbuild (build-essential, the cross toolchain, libc-dev, libstdc++-dev), dose (build-essential, crossbuild-essential), build-essential, none',
      choices: IMPLICIT_SETS,
      default: 'sbuild',
    },
    { flags: '--no-status', description: 'ignore what is installed (check against the repositories alone)' },
    {
      flags: '--drop-build-depends <packages>',
      description: 'build without these build-dependencies (binary package names, comma-separated): neither checked nor installed',
      repeatable: true,
    },
    { flags: '-s, --simulate', description: 'ask apt what it would do (apt-get -s), change nothing' },
    ROOT_CMD,
  ],
  json: true,
  jsonOutput:
    '{"buildArch": "amd64", "hostArch": "arm64", "profiles": ["cross", "nocheck"], "mode": "apt",\n' +
    ' "repositories": [{"label": "apt: http://deb.debian.org/debian bookworm/main arm64", "kind": "remote", "files": ["…"], "packages": 62666, "sources": 0}],\n' +
    ' "sources": [{"source": "hello", "version": "2.10-3", "file": "…", "status": "ok",\n' +
    '   "dependencies": [{"requirement": "Build-Depends: help2man", "kind": "build-depends", "line": 5,\n' +
    '                     "package": "help2man", "version": "1.49.3", "arch": "amd64", "side": "build", "reason": "Multi-Arch: foreign: …"}],\n' +
    '   "dropped": [{"field": "Build-Depends", "text": "libfoo-dev <!cross>", "line": 5}],\n' +
    '   "install": [{"name": "libc6-dev", "version": "2.36-9", "arch": "arm64"}], "alreadyInstalled": 208,\n' +
    '   "failures": [{"requirement": "Build-Depends: r-base-dev", "line": 7,\n' +
    '                 "reasons": [{"kind": "missing", "text": "…", "chain": ["Build-Depends: r-base-dev", "…"], "chain2": ["…"]}]}],\n' +
    '   "warnings": ["…"], "dpkgCross": [{"name": "libold-dev", "version": "1.0-1", "arch": "arm64"}]}],\n' +
    ' "summary": {"ok": 1, "broken": 0, "unknown": 0, "topReasons": [{"reason": "…", "count": 12}]}}\n\n' +
    'status is ok, broken or unknown (too complex to decide); side is build, host, or another architecture;\n' +
    'kind of a dependency is build-depends, implicit (build-essential, the cross toolchain) or essential;\n' +
    'kind of a reason is missing, conflict, skew (Multi-Arch: same versions differ), unsatisfiable or too-complex;\n' +
    'chain goes from the build-dependency to the package that fails; chain2 is the other side of a conflict.\n' +
    'With --all, install lists are left empty.',
  standalone: true,
  examples: [
    { command: 'xdeb-satisfydepends -a arm64 .', description: 'install the cross build-dependencies of the source tree here' },
    {
      command: 'xdeb-satisfydepends -a arm64 --list --explain hello',
      description: 'show where each build-dependency of hello goes, and why',
    },
    {
      command: 'xdeb-satisfydepends -a arm64 --list --drop-build-depends swig,python3-all-dev libselinux',
      description: 'can libselinux be built without swig and python3-all-dev?',
    },
    {
      command: 'xdeb-satisfydepends -a arm64 --all --json > report.json',
      description: 'cross-satisfiability of every source in the repositories in use',
    },
    {
      command: 'xdeb-satisfydepends -a arm64 -l --disable-remote-repo --repo Packages_amd64 --repo Packages_arm64 --repo Sources foo',
      description: 'check against index files only',
    },
  ],
  exitStatus: [{ code: 1, meaning: 'the build-dependencies of a SOURCE cannot be satisfied (nothing installed)' }],
  async run({ args, flags, out }) {
    const [{ runSatisfy }, { openSession }, { parseDropList }] = await Promise.all([
      import('../flows/satisfy.js'),
      import('../flows/session.js'),
      import('../lib/build-deps.js'),
    ]);
    const session = openSession(sessionFlags(flags), out);
    return runSatisfy(session, {
      sources: args,
      list: flags.boolean('list'),
      explain: flags.boolean('explain'),
      all: flags.boolean('all'),
      archOnly: flags.boolean('archOnly'),
      indep: flags.boolean('indep'),
      repo: flags.strings('repo'),
      localSuites: flags.strings('localSuite'),
      implicit: flags.choice('implicit', IMPLICIT_SETS),
      status: flags.boolean('status'),
      simulate: flags.boolean('simulate'),
      dropBuildDepends: parseDropList(flags.strings('dropBuildDepends')),
    });
  },
};
export default spec;
