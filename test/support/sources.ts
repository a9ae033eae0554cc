// Small native Debian sources made on the fly for the tests: a C program with debhelper, as a tree
// and, with dpkg-source, as a .dsc.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface SourceSpec {
  version?: string;
  buildDepends?: string;
  c?: string;
  /** More words for the compiler's command line (libraries to link). */
  make?: string;
  /** More lines of debian/rules (overrides). */
  rules?: string;
}

/** A source tree DIR/NAME (format 3.0 native) of one program NAME. */
export function makeSource(dir: string, name: string, spec: SourceSpec = {}): string {
  const tree = join(dir, name);
  mkdirSync(join(tree, 'debian/source'), { recursive: true });
  writeFileSync(join(tree, 'debian/source/format'), '3.0 (native)\n');
  writeFileSync(
    join(tree, 'debian/changelog'),
    `${name} (${spec.version ?? '1.0'}) unstable; urgency=medium\n\n  * Test.\n\n -- xdeb tests <xdeb@example.org>  Sun, 01 Jan 2023 00:00:00 +0000\n`,
  );
  writeFileSync(
    join(tree, 'debian/control'),
    `Source: ${name}\nSection: misc\nPriority: optional\nMaintainer: xdeb tests <xdeb@example.org>\nBuild-Depends: debhelper-compat (= 13)${spec.buildDepends ? `, ${spec.buildDepends}` : ''}\nStandards-Version: 4.6.2\nRules-Requires-Root: no\n\nPackage: ${name}\nArchitecture: any\nDepends: \${shlibs:Depends}, \${misc:Depends}\nDescription: xdeb test package\n Made by the tests.\n`,
  );
  writeFileSync(join(tree, 'debian/rules'), `#!/usr/bin/make -f\n%:\n\tdh $@\n${spec.rules ?? ''}`);
  chmodSync(join(tree, 'debian/rules'), 0o755);
  writeFileSync(join(tree, 'prog.c'), spec.c ?? 'int main(void) { return 0; }\n');
  writeFileSync(
    join(tree, 'Makefile'),
    `all:\n\t$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o ${name} prog.c ${spec.make ?? ''}\ninstall:\n\tinstall -D -m 755 ${name} $(DESTDIR)/usr/bin/${name}\nclean:\n\trm -f ${name}\n`,
  );
  return tree;
}

/** The same source as a .dsc in DIR (dpkg-source -b), for a repository's pool; returns the .dsc's path. */
export function makeDsc(dir: string, name: string, spec: SourceSpec = {}): string {
  const work = join(dir, `${name}-${spec.version ?? '1.0'}-tree`);
  mkdirSync(work, { recursive: true });
  makeSource(work, name, spec);
  execFileSync('dpkg-source', ['-b', name], { cwd: work, stdio: 'pipe' });
  return join(work, `${name}_${spec.version ?? '1.0'}.dsc`);
}
