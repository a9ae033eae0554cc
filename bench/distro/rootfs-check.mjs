#!/usr/bin/env node
// Which arm64 packages of a root filesystem are the set's own builds: for each, the local
// repository's .deb of that name and version (suite full), and every file its md5sums lists
// compared with the file in the root filesystem. Prints one line a package and a summary.
//   node bench/distro/rootfs-check.mjs ROOTFS REPO
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [rootfs, repo] = process.argv.slice(2);
if (!rootfs || !repo) {
  console.error('usage: rootfs-check.mjs ROOTFS REPO');
  process.exit(2);
}
const q = spawnSync(
  'dpkg-query',
  ['--admindir', join(rootfs, 'var/lib/dpkg'), '-W', '-f', '${Package}\t${Architecture}\t${Version}\t${Status}\n'],
  {
    encoding: 'utf8',
  },
);
const installed = q.stdout
  .split('\n')
  .map((l) => l.split('\t'))
  .filter((f) => f[3] === 'install ok installed' && f[1] === 'arm64');
// The suite full's arm64 index: each .deb with its own version (a binary's may have an epoch its source's has not: bsdutils).
const debOf = new Map();
for (const stanza of readFileSync(join(repo, 'dists/full/main/binary-arm64/Packages'), 'utf8').split(/\n\n+/)) {
  const field = (f) => new RegExp(`^${f}: (.*)$`, 'm').exec(stanza)?.[1];
  const [pkg, version, file] = [field('Package'), field('Version'), field('Filename')];
  if (pkg && version && file) debOf.set(`${pkg}=${version}`, { file: join(repo, file), source: (field('Source') ?? pkg).split(' ')[0] });
}
let own = 0;
let mirror = 0;
let bad = 0;
const lines = [];
for (const [pkg, , version] of installed) {
  const d = debOf.get(`${pkg}=${version}`);
  if (!d) {
    mirror++;
    lines.push(`  ${pkg}:arm64 ${version}: the mirror's (base)`);
    continue;
  }
  const sums = spawnSync('sh', ['-c', `dpkg-deb --ctrl-tarfile '${d.file}' | tar -xO ./md5sums`], { encoding: 'utf8' }).stdout;
  let match = 0;
  const differ = [];
  for (const line of sums.split('\n').filter(Boolean)) {
    const [sum, path] = [line.slice(0, 32), line.slice(34)];
    const file = join(rootfs, path);
    if (!existsSync(file)) continue;
    if (createHash('md5').update(readFileSync(file)).digest('hex') === sum) match++;
    else differ.push(path);
  }
  if (differ.length || match === 0) {
    bad++;
    lines.push(
      `  ${pkg}:arm64 ${version}: DIFFERS from the set's build (${d.source}): ${differ.slice(0, 3).join(', ') || 'no file compared'}`,
    );
  } else {
    own++;
    lines.push(`  ${pkg}:arm64 ${version}: the set's build (${d.source}), ${match} files identical`);
  }
}
console.log(
  `${installed.length} arm64 packages in the root filesystem: ${own} the set's own builds (every file identical), ${mirror} from the mirror (the base), ${bad} differing`,
);
console.log(lines.sort().join('\n'));
process.exit(bad ? 1 : 0);
