import type { CommandSpec } from '../ui/spec.js';
import { LOCAL_CONFIG, LOCAL_REPO, PROFILES, sessionFlags } from './common-options.js';

const spec: CommandSpec = {
  name: 'putresult',
  summary: 'publish build results into the local apt repository',
  standalone: true,
  description:
    'Publishes build results into the local repository (docs/local-repository.md), creating it on first\n' +
    'use: a .changes and every file it lists, a .dsc and its source files, or loose .debs. Every file a\n' +
    '.changes or .dsc lists must sit beside it, have a plain name (no / nor ..) and match every size and\n' +
    'checksum listed; otherwise nothing is published.\n\n' +
    'Files go to pool/, and the indexes are regenerated with apt-ftparchive (Packages, Sources, a Release\n' +
    'with SHA256 sums), signed with --sign-key (InRelease, Release.gpg). Publishing is atomic and locked:\n' +
    'concurrent putresults all land, one after the other, and an interrupted one leaves the previous\n' +
    'repository valid. A final build (profiles among cross, nocheck, nodoc) goes to suite "full"; a staged build\n' +
    '(stage1, nobiarch, …) to its own suite "staged-<profiles>", so both builds of one version coexist.\n' +
    'The profiles are read from the .changes (Built-For-Profiles) unless -P is given.\n\n' +
    'A published file is never overwritten by other content of the same name (use a new version, or\n' +
    '--replace). Old versions are kept unless --keep-versions N. Prints the sources.list line of each\n' +
    'suite published to.\n\n' +
    'A build made with a flavoured toolchain (its .changes has Xdeb-Flavour, or --flavour NAME) goes to the suite\n' +
    '"flavour-NAME" (docs/toolchains.md). After publishing, each build is queued for every [repository NAME]\n' +
    'of the configuration with an upload command that takes its suite (upload-suites, default full), and the\n' +
    'queue is run, oldest first: a failed upload is reported, stays queued with the files it needs, and the\n' +
    'next xdeb-putresult retries it (docs/repositories.md). The local repository has the results either way.',
  args: [
    {
      name: 'results',
      description: '.changes, .dsc, .deb or .udeb files (none with --retry-uploads)',
      variadic: true,
      complete: 'changes',
    },
  ],
  options: [
    LOCAL_REPO,
    { ...PROFILES, description: "the profiles the build was made with (default: the .changes' Built-For-Profiles, else none)" },
    {
      flags: '--sign-key <key>',
      description: 'sign the repository with this gpg key (default: configuration, else the key it was last signed with)',
    },
    {
      flags: '--keep-versions <n>',
      description: 'keep only the N newest versions of each source published to (0: keep all)',
      integer: true,
      default: 0,
    },
    { flags: '--replace', description: 'replace published files of the same name that have other content' },
    { flags: '--lock-timeout <seconds>', description: 'how long to wait for another publish to finish', integer: true, default: 600 },
    {
      flags: '--flavour <name>',
      description: "the flavour the build was made with: suite flavour-NAME (default: the .changes' Xdeb-Flavour, else none)",
    },
    { flags: '--no-upload', description: 'queue the uploads the configuration asks for, but do not run the queue now' },
    { flags: '--retry-uploads', description: 'publish nothing: run the queued uploads only' },
    LOCAL_CONFIG,
  ],
  json: true,
  jsonOutput:
    '{"repo": "/abs/repo", "generation": "7.1f2e3d4c", "suites": ["full"],\n' +
    ' "records": [{"source": "hello", "version": "2.10-3", "sourceVersion": "2.10-3", "architectures": ["arm64"],\n' +
    '              "profiles": ["cross", "nocheck"], "suite": "full", "staged": false, "time": "…", "from": "hello_2.10-3_arm64.changes",\n' +
    '              "binaries": ["hello"], "files": [{"name": "…", "path": "pool/full/h/hello/…", "size": 1, "sha256": "…", "kind": "deb",\n' +
    '              "package": "hello", "architecture": "arm64"}]}],\n' +
    ' "copied": ["pool/…"], "present": [], "replaced": [], "dropped": [{"source": "…", "version": "…", "suite": "…"}],\n' +
    ' "signedBy": null, "sources": ["deb [trusted=yes] file:/abs/repo full main"],\n' +
    ' "uploads": {"queued": [{"repository": "ppa", "id": "20240101T000000Z-hello_2.10-3_arm64-1a2b3c", "source": "hello", "version": "2.10-3", "suite": "full"}],\n' +
    '             "outcomes": [{"repository": "ppa", "id": "…", "source": "hello", "version": "2.10-3", "suite": "full",\n' +
    '                           "status": "failed", "attempts": 1, "code": 1, "output": ["last lines"]}],\n' +
    '             "orphaned": [], "skipped": [], "pending": 1}}\n\n' +
    'Records of flavoured builds also have "flavour" and "toolchain". With --retry-uploads only "uploads" is printed.\n' +
    'outcomes lists every job run now (status uploaded or failed); pending counts the jobs still queued.',
  examples: [
    { command: 'xdeb-putresult ../hello_2.10-3_arm64.changes', description: 'publish a build into the configured local repository' },
    {
      command: 'xdeb-putresult --local-repo /srv/repo --sign-key 0x1234ABCD *.changes',
      description: 'publish several builds into a signed repository',
    },
    {
      command: 'xdeb-putresult --keep-versions 2 hello_2.10-4_arm64.changes',
      description: 'publish and keep only the two newest versions of hello',
    },
    {
      command: 'echo "$(xdeb-putresult x.changes)" > /etc/apt/sources.list.d/xdeb.list',
      description: 'let apt use the suite published to',
    },
    { command: 'xdeb-putresult --retry-uploads', description: 'run the uploads that failed before (a [repository NAME] upload command)' },
  ],
  exitStatus: [
    {
      code: 1,
      meaning:
        'refused: a file does not match its checksum, or a published file of that name has other content; or published, but an upload failed (it stays queued)',
    },
    {
      code: 2,
      meaning: 'bad input: a malformed .changes or .dsc, a file name that is not plain, a listed file missing (named with file and line)',
    },
    { code: 3, meaning: 'apt-ftparchive or gpg failed, or the repository stayed locked too long' },
  ],
  files: [
    { path: 'REPO/dists, REPO/pool', description: 'the apt repository' },
    {
      path: 'REPO/xdeb/builds.json',
      description: 'the record of what was published (source, version, architectures, profiles, suite, time, files)',
    },
    { path: 'REPO/xdeb/lock', description: 'held (flock) by the publish in progress' },
    { path: 'REPO/xdeb/uploads/NAME/queue/ID/', description: 'a queued upload to [repository NAME]: job.json and hard links to the files' },
    { path: 'REPO/xdeb/uploads/NAME/done.jsonl', description: 'the uploads that succeeded, one JSON object a line' },
  ],
  environment: [
    { name: 'GNUPGHOME', description: "gpg's home, where --sign-key is looked up" },
    {
      name: 'XDEB_UPLOAD_CHANGES, XDEB_UPLOAD_DIR, XDEB_UPLOAD_REPOSITORY, XDEB_UPLOAD_SUITE',
      description: 'set for an upload command: the .changes, its directory, the repository name and the suite',
    },
  ],
  seeAlso: ['xdeb-runbuild', 'xdeb-build', 'xdeb-satisfydepends', 'apt-ftparchive(1)', 'sources.list(5)'],
  async run({ args, flags, out }) {
    const [
      { openSession },
      { publishAndUpload, retryUploads },
      { aptSourcesLine },
      { flavourNameProblem, parseProfileList },
      { UsageError, InputError },
    ] = await Promise.all([
      import('../flows/session.js'),
      import('../flows/publish.js'),
      import('../adapters/local-repo.js'),
      import('../lib/local-repo-layout.js'),
      import('../lib/errors.js'),
    ]);
    const session = openSession(sessionFlags(flags), out);
    const lockWaitSeconds = flags.integer('lockTimeout');
    const runUploads = flags.boolean('upload');
    if (flags.boolean('retryUploads')) {
      if (args.length) throw new UsageError('--retry-uploads publishes nothing: give no RESULT files');
      if (!runUploads) throw new UsageError('--retry-uploads and --no-upload exclude each other');
      const uploads = await retryUploads(session, lockWaitSeconds ?? 600);
      if (out.json) out.jsonData({ uploads });
      else out.info(`${uploads.outcomes.filter((x) => x.status === 'uploaded').length} uploaded, ${uploads.pending} still queued`);
      return uploads.outcomes.some((x) => x.status === 'failed') ? 1 : 0;
    }
    if (!args.length) throw new UsageError('no RESULT given (.changes, .dsc, .deb or .udeb files; or --retry-uploads)');
    const flavour = flags.string('flavour');
    if (flavour !== undefined) {
      const problem = flavourNameProblem(flavour);
      if (problem) throw new InputError(problem, { file: '--flavour' });
    }
    // Only an explicit -P overrides what the .changes says (the configured profiles are a default for builds).
    const given = flags.string('profiles');
    const profiles = given !== undefined ? parseProfileList(given, { file: '--profiles' }) : undefined;
    const {
      repo,
      result: r,
      uploads,
    } = await publishAndUpload(session, {
      files: args,
      ...(profiles ? { profiles } : {}),
      keepVersions: flags.integer('keepVersions'),
      replace: flags.boolean('replace'),
      ...(flavour !== undefined ? { flavour } : {}),
      ...(lockWaitSeconds !== undefined ? { lockWaitSeconds } : {}),
      runUploads,
    });
    const suites = [...new Set(r.suites)];
    const sources = suites.map((s) => aptSourcesLine(repo, s));
    for (const rec of r.records)
      out.info(`published ${rec.source} ${rec.version} [${rec.architectures.join(' ')}] into suite ${rec.suite}`);
    for (const d of r.dropped) out.info(`dropped ${d.source} ${d.version} from ${d.suite}`);
    if (out.json) out.jsonData({ ...r, sources, uploads });
    else if (sources.length) out.data(sources.join('\n'));
    return uploads?.outcomes.some((x) => x.status === 'failed') ? 1 : 0;
  },
};
export default spec;
