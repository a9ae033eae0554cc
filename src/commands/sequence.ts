import type { CommandSpec } from '../ui/spec.js';
import { EXECUTORS } from '../flows/executor.js';
import { REPORT } from './report-option.js';
import { TOOLCHAIN } from './toolchain-option.js';
import {
  CHROOT_BUILD,
  HOST_ARCH,
  IMPLICIT_SETS,
  PROFILES,
  REPO_SELECTION,
  RESOLVER_MODES,
  ROOT_CMD,
  sessionFlags,
} from './common-options.js';

const spec: CommandSpec = {
  name: 'sequence',
  summary: 'order the builds of many packages, breaking loops with staged builds',
  description:
    'Works out which sources must be built, in which order, and builds them. What to build: each SOURCE,\n' +
    'and (unless --only-explicit) every source whose binaries their build-dependencies need and the\n' +
    'repositories in use do not have; --full rebuilds all of them, ignoring existing builds (for a cross\n' +
    'bootstrap the build-architecture and arch:all packages still come from the repositories). A\n' +
    "source's needs are the packages a real resolver installs for its build (xdeb-satisfydepends),\n" +
    'runtime dependencies of tools included, each traced to the source that builds it.\n\n' +
    'Dependency loops are found as strongly connected components. With --bootstrap a source in a loop\n' +
    'is built first with a reduced profile (stage1, stage2, nobiarch, pkg.SRC.NAME…) where its metadata\n' +
    '(the profile formulas of its Build-Depends, Build-Profiles of its binaries, Package-List profile=)\n' +
    "makes that build need fewer of the loop's binaries while it still makes the binaries the others need;\n" +
    'it is rebuilt in full once the loop is built. Few such builds are chosen (a feedback-vertex-set\n' +
    'heuristic). Inside a loop, binaries the repositories have already serve (no staged build is needed\n' +
    "for them). What profiles do not break, in this order: build-dependencies botch's droppable lists drop;\n" +
    "a seed build (one member built against the repositories' binaries of the others, any version; then\n" +
    "the members again against the set's own builds; --no-seed turns it off); a --hints FILE. A loop\n" +
    'nothing breaks is named with its shortest cycle.\n\n' +
    'With --set or --base the plan is a distro: the host-architecture binaries of its members are built by\n' +
    'the set, never taken from the repositories (except by a seed build); --verify checks a run did that.\n\n' +
    'The plan (--list) is printed as text, JSON (--json) or Graphviz (--dot; --svg FILE draws it). Without\n' +
    '--list each step runs through xdeb-build (satisfydepends, runbuild, putresult into the local\n' +
    'repository: staged builds into its staged-PROFILES suites), independent steps side by side up to\n' +
    '-j N (installs of build-dependencies one at a time), with a progress bar in a terminal and a state\n' +
    'file that --resume continues from. docs/xdeb-sequence.md explains the plan and the state file.',
  args: [
    {
      name: 'source',
      description: 'source tree, .dsc file or source package name (name=version for a given version)',
      variadic: true,
      complete: 'source',
    },
  ],
  options: [
    HOST_ARCH,
    PROFILES,
    {
      ...TOOLCHAIN,
      description:
        'build the host-architecture steps with this toolchain (into flavour-NAME suites); build-architecture tools are built plain',
    },
    { flags: '-l, --list', description: 'print the plan and stop (exit 1 when a loop cannot be broken or a build cannot be satisfied)' },
    { flags: '--bootstrap', description: 'break dependency loops with staged builds (reduced profiles the sources offer)' },
    { flags: '--full', description: 'build every source in the closure, even those whose binaries the repositories have' },
    { flags: '--only-explicit', description: 'build only the SOURCE arguments: a needed binary that is not available is an error' },
    { flags: '--all', description: 'every source of the repositories in use (an archive-wide graph)' },
    { flags: '-B, --arch-only', description: 'native builds too are arch-only: Build-Depends-Indep never counts' },
    {
      flags: '--available <file>',
      description: 'with --full: a Packages file of binaries to count as built already (repeatable)',
      repeatable: true,
      complete: 'file',
    },
    {
      flags: '--set <file>',
      description: 'more sources, one a line (NAME, NAME=VERSION, NAME/SUITE, .dsc, tree; # comments)',
      complete: 'file',
    },
    {
      flags: '--base <file|list>',
      description:
        "sources taken as given, never rebuilt: a file (one a line), a comma-separated list, or 'outside' (every source outside the set)",
      complete: 'file',
    },
    {
      flags: '--no-seed',
      description:
        "with --bootstrap: do not break a loop with a seed build (one member built against the repositories' binaries of another)",
    },
    {
      flags: '--hints <file>',
      description: 'with --bootstrap: how to break loops nothing else breaks (deb822: Source, Drop-Build-Depends or Profiles, Reason)',
      complete: 'file',
    },
    {
      flags: '--droppable <dir>',
      description: "botch's lists of droppable build-dependencies (default: /usr/share/botch/droppable, when there)",
      complete: 'dir',
    },
    { flags: '--no-droppable', description: "with --bootstrap: do not read botch's droppable lists" },
    {
      flags: '--assume-foreign-from <index>',
      description:
        'count a package as Multi-Arch: foreign when this Packages file (a later release) says it is (repeatable; each use printed)',
      repeatable: true,
      complete: 'file',
    },
    {
      flags: '--verify',
      description:
        "after a run: check from the state, the .buildinfo files and the local repository that every final build took the set's own builds",
    },
    { flags: '-e, --explain', description: 'with each step, the binaries it needs from each step before it' },
    { flags: '--dot', description: 'print the plan as a Graphviz graph' },
    { flags: '--svg <file>', description: 'draw the plan into an SVG file (needs dot, from graphviz)', complete: 'file' },
    { flags: '-j, --jobs <n>', description: 'build up to N steps at once (default: configuration, else 1)', integer: true },
    { flags: '-k, --keep-going', description: 'after a failure, build everything that does not depend on the failed step' },
    REPORT,
    { flags: '--resume', description: 'continue the plan of the state file: skip what is built (with the same profiles), build the rest' },
    {
      flags: '--executor <name>',
      description:
        "who runs the steps: local (this process, the default), slurm (a job a step, afterok dependencies), make (a Makefile); --resume takes the state's",
      choices: EXECUTORS,
    },
    { flags: '--detach', description: 'with --executor slurm: submit the plan and return (--resume follows it, --cancel cancels it)' },
    { flags: '--cancel', description: "cancel the plan's queued and running Slurm jobs (scancel) and wait until they have ended" },
    { flags: '--print', description: 'with --executor make: print the Makefile (also written beside the state) instead of running make' },
    { flags: '--slurm-partition <name>', description: 'with --executor slurm: submit to this partition' },
    {
      flags: '--slurm-constraint <features>',
      description: "with --executor slurm: only on nodes with these features (sbatch's --constraint)",
    },
    {
      flags: '--slurm-arg <arg>',
      description: 'with --executor slurm: pass this option to sbatch (repeatable: --slurm-arg=--exclusive)',
      repeatable: true,
    },
    {
      flags: '--run-step <n>',
      description: 'build step N of the state file and record how it went (what a Slurm job or a make recipe runs)',
      integer: true,
    },
    { flags: '--state <file>', description: 'the state file (default: LOCALREPO/xdeb/sequence/HOSTARCH/state.json)', complete: 'file' },
    {
      flags: '--repo <file|url>',
      description: "also use this Packages/Sources file, or a repository 'URL SUITE [COMPONENT…]'",
      repeatable: true,
      complete: 'file',
    },
    ...REPO_SELECTION,
    {
      flags: '--mode <mode>',
      description: 'where apt, dose and dpkg disagree, follow this one (docs/conformance.md)',
      choices: RESOLVER_MODES,
      default: 'apt',
    },
    {
      flags: '--implicit <set>',
      description: 'implicit build-dependencies: sbuild (build-essential and the cross toolchain), build-essential, none',
      choices: ['sbuild', 'build-essential', 'none'],
      default: 'sbuild',
    },
    ROOT_CMD,
    ...CHROOT_BUILD,
  ],
  json: true,
  jsonOutput:
    '{"format": 1, "buildArch": "amd64", "hostArch": "arm64", "profiles": ["cross", "nocheck"],\n' +
    ' "full": false, "bootstrap": true, "onlyExplicit": false, "args": ["xdebloop-a/", "xdebloop-b/"],\n' +
    ' "steps": [{"n": 1, "source": "xdebloop-a", "version": "1.0", "arch": "arm64",\n' +
    '            "profiles": ["cross", "nocheck", "stage1"], "stage": "stage1", "suite": "staged-stage1",\n' +
    '            "arg": "/…/xdebloop-a", "after": [], "explicit": true, "why": "staged build (stage1) that breaks a loop; …"},\n' +
    '           {"n": 2, "source": "xdebloop-b", …, "stage": null, "suite": "full", "after": [1]},\n' +
    '           {"n": 3, "source": "xdebloop-a", …, "profiles": ["cross", "nocheck"], "stage": null, "after": [1, 2]}],\n' +
    ' "loops": [{"n": 1, "sources": ["xdebloop-a", "xdebloop-b"], "broken": true, "existing": [],\n' +
    '            "staged": [{"source": "xdebloop-a", "arch": "arm64", "kind": "profile", "profiles": ["stage1"], "stage": "stage1", "step": 1,\n' +
    '                        "breaks": [{"source": "xdebloop-b", "arch": "arm64", "stage": null, "binaries": ["libxdebloop-b-dev:arm64"]}]}],\n' +
    '            "nocheck": [], "seeded": [], "unbroken": []}],\n' +
    ' "problems": [], "stats": {"sources": 2, "edges": 3, "checks": 4, "components": 1, "cyclicComponents": 1,\n' +
    '   "largestComponent": 2, "inLoops": 2, "stagedBuilds": 1, "nocheckBuilds": 0, "seedBuilds": 0, "unbrokenLoops": 0,\n' +
    '   "milliseconds": {"graph": 30, "bootstrap": 5}}}\n\n' +
    'steps are in build order; after lists the steps (n) a step needs (with --explain, needs: [{"step", "binaries",\n' +
    '"soft"}] says which binaries; soft: the repositories have them too); stage is null for a full build, else its\n' +
    'reducing profiles joined with +, or seed, seeded (a first build against a seed), dropped (with "drops": [names]).\n' +
    'A staged entry\'s kind is profile, drop, seed or hint, with its "evidence". A step stuck in a loop nothing breaks has "loop": N; a step whose\n' +
    'build-dependencies cannot be satisfied has "unsatisfiable": "why"; "soft": [n] lists the steps of after whose\n' +
    'binaries the repositories have too (with --keep-going they serve when that step fails); "added": {"profiles":\n' +
    '["nodoc"], "reason": "…"} says which final-build profiles a step got to be satisfiable. In a loop, unbroken lists each part no\n' +
    'profile breaks with a shortest cycle [{"source", "arch", "stage", "binaries"}, …] (each needs the binaries of\n' +
    "the next, the last the first's); existing lists edges the repositories' binaries serve.\n" +
    'Without --list the plan is followed by "stateFile" and "results": [{"n", "status" (done, failed, skipped,\n' +
    'pending), "note", "seconds", "dir", "changes", "suite", "exitCode"}].',
  standalone: true,
  examples: [
    {
      command: 'xdeb-sequence -a arm64 --list --bootstrap xdebloop-a/ xdebloop-b/',
      description: 'the plan for two sources that build-depend on each other',
    },
    {
      command: 'xdeb-sequence -a arm64 --bootstrap -j 2 libfoo/ foo/ bar/',
      description: 'build them in order, two at a time, staged builds where a loop needs them',
    },
    { command: 'xdeb-sequence -a arm64 --resume', description: 'continue after a failure or Ctrl-C; what is built is not rebuilt' },
    {
      command:
        'xdeb-sequence -a arm64 --bootstrap --executor slurm --slurm-constraint=qemu --local-repo /srv/shared/repo xdebloop-a/ xdebloop-b/',
      description: 'the plan as Slurm jobs on the nodes with qemu, followed until done (the repository on a path every node sees)',
    },
    {
      command: 'xdeb-sequence -a arm64 --executor make --print foo/ bar/ > Makefile && make -j4 -k',
      description: 'the plan as a Makefile',
    },
    {
      command: 'xdeb-sequence --list --dot --svg plan.svg -a arm64 --bootstrap foo/ | less',
      description: 'the plan as a Graphviz graph, and a picture of it',
    },
    {
      command:
        'xdeb-sequence -a arm64 --list --json --full --bootstrap --disable-remote-repo --repo Packages_amd64 --repo Packages_arm64 --repo Sources glibc gcc-12',
      description: 'a cross bootstrap plan from index files',
    },
  ],
  exitStatus: [
    {
      code: 1,
      meaning:
        'a step failed, whatever it failed on (its build, its build-dependencies, its source that cannot be fetched), or was skipped after one; or a loop cannot be broken / a build-dependency cannot be satisfied (with --list: the plan is printed all the same)',
    },
    {
      code: 2,
      meaning: 'bad input, found before anything is built: an unknown source, an unreadable tree or .dsc, a state file that does not match',
    },
    {
      code: 3,
      meaning:
        'the environment: a tool missing, no packages for the host architecture, a Slurm controller that does not answer (nothing submitted); a step that failed for such a reason',
    },
    {
      code: 130,
      meaning: 'interrupted: the state file says what is built; --resume continues (with --executor slurm: the jobs are cancelled)',
    },
  ],
  files: [
    {
      path: 'LOCALREPO/xdeb/sequence/HOSTARCH/state.json',
      description: 'the plan being run and the state of each step (written atomically after every change)',
    },
    {
      path: 'LOCALREPO/xdeb/sequence/HOSTARCH/steps/NNNN-SOURCE[-STAGE]/',
      description: "a step's messages (xdeb-sequence.log), build log and results",
    },
  ],
  seeAlso: ['xdeb-build', 'xdeb-satisfydepends', 'botch-native(1)', 'dot(1)'],
  async run({ args, flags, out, prog }) {
    const [{ runSequence }, { openSession }] = await Promise.all([import('../flows/sequence.js'), import('../flows/session.js')]);
    const session = openSession(sessionFlags(flags), out);
    return runSequence(
      session,
      {
        sources: args,
        all: flags.boolean('all'),
        full: flags.boolean('full'),
        bootstrap: flags.boolean('bootstrap'),
        onlyExplicit: flags.boolean('onlyExplicit'),
        archOnly: flags.boolean('archOnly'),
        available: flags.strings('available'),
        setFile: flags.string('set'),
        base: flags.string('base'),
        seed: flags.boolean('seed'),
        hints: flags.string('hints'),
        droppable: flags.stringOrOff('droppable'),
        assumeForeignFrom: flags.strings('assumeForeignFrom'),
        verify: flags.boolean('verify'),
        repo: flags.strings('repo'),
        implicit: flags.choice('implicit', IMPLICIT_SETS),
        explain: flags.boolean('explain'),
        resume: flags.boolean('resume'),
        list: flags.boolean('list'),
        dot: flags.boolean('dot'),
        svg: flags.string('svg'),
        state: flags.string('state'),
        keepGoing: flags.boolean('keepGoing'),
        ...(flags.string('executor') ? { executor: flags.choice('executor', EXECUTORS) } : {}),
        print: flags.boolean('print'),
        detach: flags.boolean('detach'),
        cancel: flags.boolean('cancel'),
        ...(flags.integer('runStep') !== undefined ? { runStep: flags.integer('runStep') } : {}),
        slurmPartition: flags.string('slurmPartition'),
        slurmConstraint: flags.string('slurmConstraint'),
        slurmArgs: flags.strings('slurmArg'),
        report: flags.string('report'),
        native: flags.stringOrOff('native'),
        distcc: flags.optionalString('distcc'),
        icecream: flags.stringOrOff('icecream'),
        icecreamEnv: flags.string('icecreamEnv'),
        hostBinaries: flags.optionalStringOrOff('hostBinaries'),
      },
      prog,
    );
  },
};
export default spec;
