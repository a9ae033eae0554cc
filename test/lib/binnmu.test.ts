// binNMU versions and the changelog entry that makes one, as sbuild --binNMU writes it.
import { describe, expect, it } from 'vitest';
import { binNmuEntry, binNmuOf, binNmuVersion } from '../../src/lib/binnmu.js';

describe('binNMUs', () => {
  it.each([
    ['1.0.8-5+b1', '1.0.8-5', 1],
    ['0.8.3-1+b3', '0.8.3-1', 3],
    ['1:2.66-4+deb12u3+b1', '1:2.66-4+deb12u3', 1],
    ['1.0.8-5', '1.0.8-5', undefined],
    ['1.0.8-5+b0', '1.0.8-5', undefined],
    ['1.0.8-5+bx', '1.0.8-5', undefined],
    ['1.0.8-6+b1', '1.0.8-5', undefined],
    ['1.0.8-5+b1+b2', '1.0.8-5', undefined],
  ])('%s of %s: %s', (binary, source, n) => {
    expect(binNmuOf(binary, source)).toBe(n);
    if (n !== undefined) expect(binNmuVersion(source, n)).toBe(binary);
  });

  it('the entry is binary-only, in the distribution of the entry before it', () => {
    const e = binNmuEntry({
      source: 'bzip2',
      version: '1.0.8-5',
      n: 1,
      distribution: 'unstable',
      arch: 'arm64',
      date: new Date(Date.UTC(2026, 11, 6, 16, 0, 0)),
    });
    expect(e).toBe(
      'bzip2 (1.0.8-5+b1) unstable; urgency=low, binary-only=yes\n\n' +
        '  * Binary-only non-maintainer upload for arm64; no source changes.\n' +
        "  * Rebuilt by xdeb at the archive's binNMU version, so that Multi-Arch: same copies match.\n\n" +
        ' -- xdeb <xdeb@localhost>  Sun, 06 Dec 2026 16:00:00 +0000\n\n',
    );
  });
});
