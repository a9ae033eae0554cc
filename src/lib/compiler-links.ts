// The compiler names of a build's PATH directory when its compile jobs go elsewhere (distcc,
// icecream). <triplet>-gcc-N and <triplet>-g++-N are symlinks to the wrapper, whose masquerade
// mode finds the real compiler further down PATH and sends the job under that full cross name, so
// that the other machine runs its cross compiler, never its own gcc. The other names call those:
// in an emulated chroot the plain names too (there `gcc` is the host-arch compiler); in a cross
// chroot only the triplet names (there plain `gcc` builds tools for the build machine and must
// stay local).

export interface CompilerLink {
  name: string;
  /** A symlink to the wrapper (masquerade), or a script that calls the full cross name. */
  kind: 'masquerade' | 'script';
  text?: string;
}

export function compilerLinks(opts: { triplet: string; major: string; plainNames: boolean; sentTo: string }): CompilerLink[] {
  const { triplet, major } = opts;
  const cc = `${triplet}-gcc-${major}`;
  const cxx = `${triplet}-g++-${major}`;
  const script = (name: string, target: string): CompilerLink => ({
    name,
    kind: 'script',
    text: `#!/bin/sh\n# Written by xdeb for this build session: ${name} is ${target}, sent to ${opts.sentTo}.\nexec ${target} "$@"\n`,
  });
  const out: CompilerLink[] = [
    { name: cc, kind: 'masquerade' },
    { name: cxx, kind: 'masquerade' },
    script(`${triplet}-gcc`, cc),
    script(`${triplet}-g++`, cxx),
  ];
  if (opts.plainNames)
    out.push(
      script('cc', cc),
      script('gcc', cc),
      script(`gcc-${major}`, cc),
      script('c++', cxx),
      script('g++', cxx),
      script(`g++-${major}`, cxx),
    );
  return out;
}
