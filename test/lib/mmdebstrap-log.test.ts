// mmdebstrap's failures, told apart from the apt error lines in its log (lines as apt 2.6 and
// mmdebstrap 1.3 print them on bookworm).
import { describe, expect, it } from 'vitest';
import { diagnoseMmdebstrapLog } from '../../src/lib/mmdebstrap-log.js';

const M = 'http://127.0.0.1:9/debian';
const tail =
  'E: apt-get update --error-on=any -oAPT::Status-Fd=<$fd> -oDpkg::Use-Pty=false failed\nI: main() received signal PIPE: waiting for setup...\nE: mmdebstrap failed to run\n';

describe('diagnoseMmdebstrapLog', () => {
  it.each([
    [
      'connection refused',
      `Err:1 ${M} bookworm InRelease\n  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)\nE: Failed to fetch ${M}/dists/bookworm/InRelease  Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)\nE: Some index files failed to download. They have been ignored, or old ones used instead.\n${tail}`,
      'mirror',
      `mirror ${M} does not answer: Could not connect to 127.0.0.1:9 (127.0.0.1). - connect (111: Connection refused)`,
    ],
    [
      'a name that does not resolve',
      `E: Failed to fetch http://no.such.host/debian/dists/bookworm/InRelease  Temporary failure resolving 'no.such.host'\n${tail}`,
      'mirror',
      `mirror ${M} does not answer: Temporary failure resolving 'no.such.host'`,
    ],
    [
      'no such suite',
      `E: The repository 'http://deb.debian.org/debian nosuchsuite Release' does not have a Release file.\n${tail}`,
      'suite',
      `mirror ${M} has no suite 'nosuchsuite' (no dists/nosuchsuite/Release there: is the mirror's path or the suite wrong?)`,
    ],
    [
      'a package that is not there',
      'E: Unable to locate package nosuchpkg-xyz\nE: setup failed: E: apt-get -o Dir::Bin::dpkg=env --yes install -oAPT::Status-Fd=<$fd> crossbuild-essential-arm64 nosuchpkg-xyz failed\nE: mmdebstrap failed to run\n',
      'package',
      `not in bookworm on ${M}: nosuchpkg-xyz`,
    ],
    [
      'a virtual package with no candidate',
      "E: Package 'mail-transport-agent' has no installation candidate\nE: mmdebstrap failed to run\n",
      'package',
      `not in bookworm on ${M}: mail-transport-agent`,
    ],
    ['anything else', 'E: cannot write to output\nE: mmdebstrap failed to run\n', 'other', 'cannot write to output'],
    ['no error lines at all', 'I: killed\n', 'other', 'see the log'],
  ])('%s', (_, log, kind, summary) => {
    const d = diagnoseMmdebstrapLog(log, M, 'bookworm');
    expect(d.kind).toBe(kind);
    expect(d.summary).toBe(summary);
    expect(d.errors.every((e) => e.startsWith('E: ') && !/apt-get .* failed$/.test(e))).toBe(true);
  });
});
