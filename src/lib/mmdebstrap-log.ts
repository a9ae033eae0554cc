// Why did mmdebstrap fail? Its log holds apt's own "E:" lines; the few causes a user can act on
// (a mirror that does not answer, a suite or a package the mirror does not have) are told apart
// so that the error says so in one line and gets the right exit status.

export type MmdebstrapFailure =
  /** The mirror did not answer (connection refused, name not resolved, timeout): the machine's problem. */
  | 'mirror'
  /** The mirror answered but has no such suite (no Release file): bad input. */
  | 'suite'
  /** A package to include is not in the suite: bad input. */
  | 'package'
  | 'other';

export interface MmdebstrapDiagnosis {
  kind: MmdebstrapFailure;
  /** One line for the error message. */
  summary: string;
  /** apt's and mmdebstrap's error lines, for the details. */
  errors: string[];
}

const FETCH = /^E: Failed to fetch (\S+)\s+(.*)$/;
const NO_RELEASE = /^E: The repository '(\S+) (\S+) Release' (?:does not have|no longer has) a Release file/;
const NO_PACKAGE = /^E: (?:Unable to locate package (\S+)|Package '([^']+)' has no installation candidate)/;

export function diagnoseMmdebstrapLog(log: string, mirror: string, suite: string): MmdebstrapDiagnosis {
  const errors = log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.startsWith('E: '))
    // mmdebstrap repeats apt's whole command line; it says nothing the lines before it do not.
    .filter((l) => !/^E: (setup failed: E: )?apt-get .* failed$/.test(l));
  for (const e of errors) {
    const m = NO_RELEASE.exec(e);
    if (m)
      return {
        kind: 'suite',
        summary: `mirror ${mirror} has no suite '${m[2] ?? suite}' (no dists/${m[2] ?? suite}/Release there: is the mirror's path or the suite wrong?)`,
        errors,
      };
  }
  const missing: string[] = [];
  for (const e of errors) {
    const m = NO_PACKAGE.exec(e);
    if (m) missing.push((m[1] ?? m[2])!);
  }
  if (missing.length) return { kind: 'package', summary: `not in ${suite} on ${mirror}: ${missing.join(', ')}`, errors };
  for (const e of errors) {
    const m = FETCH.exec(e);
    if (m) return { kind: 'mirror', summary: `mirror ${mirror} does not answer: ${m[2]!.trim()}`, errors };
  }
  return { kind: 'other', summary: errors.find((e) => !/^E: mmdebstrap failed to run$/.test(e))?.slice(3) ?? 'see the log', errors };
}
