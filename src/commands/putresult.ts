import type { CommandSpec } from '../cli/spec.js';
import { LOCAL_CONFIG, LOCAL_REPO, PROFILES } from './common-options.js';

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
    'repository valid. A full build (profiles among cross, nocheck) goes to suite "full"; a staged build\n' +
    '(stage1, nobiarch, …) to its own suite "staged-<profiles>", so both builds of one version coexist.\n' +
    'The profiles are read from the .changes (Built-For-Profiles) unless -P is given.\n\n' +
    'A published file is never overwritten by other content of the same name (use a new version, or\n' +
    '--replace). Old versions are kept unless --keep-versions N. Prints the sources.list line of each\n' +
    'suite published to.',
  args: [{ name: 'results', description: '.changes, .dsc, .deb or .udeb files', variadic: true, required: true, complete: 'changes' }],
  options: [
    LOCAL_REPO,
    { ...PROFILES, description: 'the profiles the build was made with (default: the .changes\' Built-For-Profiles, else none)' },
    { flags: '--sign-key <key>', description: 'sign the repository with this gpg key (default: configuration, else the key it was last signed with)' },
    { flags: '--keep-versions <n>', description: 'keep only the N newest versions of each source published to (0: keep all)', integer: true, default: 0 },
    { flags: '--replace', description: 'replace published files of the same name that have other content' },
    { flags: '--lock-timeout <seconds>', description: 'how long to wait for another publish to finish', integer: true, default: 600 },
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
    ' "signedBy": null, "sources": ["deb [trusted=yes] file:/abs/repo full main"]}',
  examples: [
    { command: 'xdeb-putresult ../hello_2.10-3_arm64.changes', description: 'publish a build into the configured local repository' },
    { command: 'xdeb-putresult --local-repo /srv/repo --sign-key 0x1234ABCD *.changes', description: 'publish several builds into a signed repository' },
    { command: 'xdeb-putresult --keep-versions 2 hello_2.10-4_arm64.changes', description: 'publish and keep only the two newest versions of hello' },
    { command: "echo \"$(xdeb-putresult x.changes)\" > /etc/apt/sources.list.d/xdeb.list", description: 'let apt use the suite published to' },
  ],
  exitStatus: [
    { code: 1, meaning: 'refused: a file does not match its checksum, or a published file of that name has other content' },
    { code: 2, meaning: 'bad input: a malformed .changes or .dsc, a file name that is not plain, a listed file missing (named with file and line)' },
    { code: 3, meaning: 'apt-ftparchive or gpg failed, or the repository stayed locked too long' },
  ],
  files: [
    { path: 'REPO/dists, REPO/pool', description: 'the apt repository' },
    { path: 'REPO/xdeb/builds.json', description: 'the record of what was published (source, version, architectures, profiles, suite, time, files)' },
    { path: 'REPO/xdeb/lock', description: 'held (flock) by the publish in progress' },
  ],
  environment: [{ name: 'GNUPGHOME', description: "gpg's home, where --sign-key is looked up" }],
  seeAlso: ['xdeb-runbuild', 'xdeb-build', 'xdeb-satisfydepends', 'apt-ftparchive(1)', 'sources.list(5)'],
  async run({ args, opts, out }) {
    const [{ configFromOptions, localRepoDir }, { readResults }, { publish, aptSourcesLine }, { parseProfileList }] = await Promise.all([
      import('../adapters/config.js'),
      import('../adapters/build-results.js'),
      import('../adapters/local-repo.js'),
      import('../lib/local-repo-layout.js'),
    ]);
    const cfg = configFromOptions(opts);
    const repo = localRepoDir(cfg);
    // Only an explicit -P overrides what the .changes says (the configured profiles are a default for builds).
    const profiles = opts.profiles !== undefined ? parseProfileList(String(opts.profiles), { file: '--profiles' }) : undefined;
    const results = await readResults(args);
    const r = await publish({
      repo,
      results,
      profiles,
      signKey: cfg.string('sign-key'),
      keepVersions: opts.keepVersions,
      replace: !!opts.replace,
      lock: { waitSeconds: opts.lockTimeout, onWait: () => out.info(`waiting for another publish into ${repo} to finish`) },
      info: (m) => out.info(m),
    });
    const suites = [...new Set(r.suites)];
    const sources = suites.map((s) => aptSourcesLine(repo, s));
    for (const rec of r.records) out.info(`published ${rec.source} ${rec.version} [${rec.architectures.join(' ')}] into suite ${rec.suite}`);
    for (const d of r.dropped) out.info(`dropped ${d.source} ${d.version} from ${d.suite}`);
    if (out.json) out.jsonData({ ...r, sources });
    else if (sources.length) out.data(sources.join('\n'));
    return 0;
  },
};
export default spec;
