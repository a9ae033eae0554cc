// Small universes written inline, for table tests of the resolver.
import { parseDeb822 } from '../../src/lib/deb822.js';
import { BuildChecker } from '../../src/lib/build-check.js';
import { DependencyIndex } from '../../src/lib/installability.js';
import type { ResolverMode } from '../../src/lib/multiarch.js';
import { Universe } from '../../src/lib/universe.js';

/**
 * 'name arch version [ma] [essential] | Depends: …; Provides: …' → Packages stanzas.
 * Example: 'libfoo1 amd64 1.0 same | Depends: libc6'.
 */
export function stanza(line: string): string {
  const [head, rest] = line.split('|').map((s) => s.trim()) as [string, string | undefined];
  const [name, arch, version, ...flags] = head.split(/\s+/);
  let s = `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n`;
  for (const f of flags) {
    if (f === 'essential') s += 'Essential: yes\n';
    else if (f === 'installed') s += 'Status: install ok installed\n';
    else s += `Multi-Arch: ${f}\n`;
  }
  for (const field of (rest ?? '')
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean))
    s += field + '\n';
  return s;
}

export function universeOf(lines: string[], opts: { installed?: string[] } = {}): Universe {
  const u = new Universe();
  const o = u.addOrigin({ label: 'test', file: 'Packages', kind: 'file', priority: 500 });
  for (const p of parseDeb822(lines.map(stanza).join('\n'), { file: 'Packages' })) u.addBinary(p, o);
  if (opts.installed?.length) {
    const so = u.addOrigin({ label: 'status', file: 'status', kind: 'status', priority: 100 });
    for (const p of parseDeb822(opts.installed.map((l) => stanza(l) + 'Status: install ok installed\n').join('\n'), { file: 'status' }))
      u.addBinary(p, so, { installed: true });
  }
  return u;
}

export function checkerOf(
  lines: string[],
  opts: { mode?: ResolverMode; build?: string; host?: string; installed?: string[] } = {},
): BuildChecker {
  const u = universeOf(lines, opts);
  return new BuildChecker(
    new DependencyIndex(u, { buildArch: opts.build ?? 'amd64', hostArch: opts.host ?? 'arm64', mode: opts.mode ?? 'apt' }),
  );
}

export function sourceStanza(fields: Record<string, string>): import('../../src/lib/deb822.js').Paragraph {
  let s = 'Source: demo\nVersion: 1.0-1\n';
  for (const [k, v] of Object.entries(fields)) s += `${k}: ${v}\n`;
  return parseDeb822(s, { file: 'debian/control' })[0]!;
}
