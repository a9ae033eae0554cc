// An apt that never touches the host's apt state (docs/design.md §8): its own apt.conf through
// APT_CONFIG, with its own Dir::State, Dir::Cache and every Dir::Etc entry. The dpkg status it
// reads is an empty file unless told to use another (the host's, read only, for simulations).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PrivateApt {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Run apt-get (or apt-cache with cmd) with the private configuration. */
  run(args: string[], cmd?: string): { status: number; stdout: string; stderr: string };
}

export function privateApt(
  dir: string,
  opts: { sources: string[]; status?: string; archs?: string[]; trustedKeys?: string[] },
): PrivateApt {
  for (const d of [
    'log',
    'etc/apt.conf.d',
    'etc/preferences.d',
    'etc/sources.list.d',
    'etc/trusted.gpg.d',
    'state/lists/partial',
    'cache/archives/partial',
  ]) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  const status = opts.status ?? join(dir, 'status');
  if (!opts.status) writeFileSync(status, '');
  const archs = opts.archs ?? ['amd64', 'arm64'];
  const conf = [
    'Dir "/";',
    `Dir::State "${dir}/state";`,
    `Dir::State::status "${status}";`,
    `Dir::Cache "${dir}/cache";`,
    `Dir::Etc "${dir}/etc";`,
    `Dir::Etc::main "${dir}/etc/apt.conf.none";`,
    `Dir::Etc::Parts "${dir}/etc/apt.conf.d";`,
    `Dir::Etc::SourceList "${dir}/etc/sources.list";`,
    `Dir::Etc::SourceParts "${dir}/etc/sources.list.d";`,
    `Dir::Etc::Preferences "${dir}/etc/preferences";`,
    `Dir::Etc::PreferencesParts "${dir}/etc/preferences.d";`,
    `Dir::Etc::TrustedParts "${dir}/etc/trusted.gpg.d";`,
    `Dir::Etc::Trusted "${dir}/etc/trusted.gpg";`,
    `Dir::Log "${dir}/log";`,
    `APT::Architecture "${archs[0]}";`,
    `APT::Architectures { ${archs.map((a) => `"${a}";`).join(' ')} };`,
    'APT::Sandbox::User "root";',
    'Acquire::Languages "none";',
    // A private status file needs no lock; the host's is dpkg's, and then apt must take dpkg's lock.
    opts.status ? 'DPkg::Lock::Timeout "300";' : 'Debug::NoLocking "true";',
  ].join('\n');
  writeFileSync(join(dir, 'apt.conf'), conf + '\n');
  writeFileSync(join(dir, 'etc/sources.list'), opts.sources.join('\n') + '\n');
  const env = { ...process.env, APT_CONFIG: join(dir, 'apt.conf'), DEBIAN_FRONTEND: 'noninteractive' };
  return {
    dir,
    env,
    run(args, cmd = 'apt-get') {
      const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
