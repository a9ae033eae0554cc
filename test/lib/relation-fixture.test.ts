// Real bookworm build-dependency fields with Dpkg::Deps' reduced outputs (written by
// bench/deps-conformance.mjs --write-fixture): xdeb must print the same, with or without dpkg-dev.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatRelationField, parseRelationField, reduceRelationField } from '../../src/lib/relation.js';
import { ROOT } from '../support/cli.js';

interface Fixture {
  dpkgDev: string;
  configs: { hostArch: string; buildArch: string; profiles: string[] }[];
  fields: { source: string; field: string; covers: string[]; value: string; expected: string[] }[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/relations/bookworm-sample.json', import.meta.url), 'utf8')) as Fixture;
const haveDpkgDeps = spawnSync('perl', ['-MDpkg::Deps', '-e', '1']).status === 0;
const isConflicts = (field: string) => /^build-conflicts/i.test(field);

describe('bookworm sample fixture', () => {
  it('is a few hundred fields covering arch lists, profiles, qualifiers and alternatives, for two configurations', () => {
    expect(fixture.fields.length).toBeGreaterThanOrEqual(200);
    expect(fixture.configs.map((c) => `${c.hostArch} ${c.profiles.join(',')}`)).toEqual(['arm64 cross,nocheck', 'armhf stage1']);
    const covered = new Set(fixture.fields.flatMap((f) => f.covers));
    for (const what of [
      'negated arch list',
      'any-<cpu> wildcard',
      'several profile groups',
      ':native',
      ':any',
      'alternative with arch list',
      'alternative with profiles',
      'Build-Conflicts',
    ]) {
      expect(covered).toContain(what);
    }
    // The two configurations must not reduce everything alike, or the sample would prove little.
    expect(fixture.fields.filter((f) => f.expected[0] !== f.expected[1]).length).toBeGreaterThan(100);
  });

  fixture.configs.forEach((cfg, k) => {
    it(`xdeb reduces each field as Dpkg::Deps ${fixture.dpkgDev} did, host ${cfg.hostArch} with <${cfg.profiles.join(' ')}>`, () => {
      const ctx = { hostArch: cfg.hostArch, profiles: new Set(cfg.profiles) };
      const diff: string[] = [];
      for (const f of fixture.fields) {
        const got = formatRelationField(reduceRelationField(parseRelationField(f.value, { field: f.field }), ctx));
        if (got !== f.expected[k]) diff.push(`${f.source} ${f.field}: ${f.value}\n  dpkg: ${f.expected[k]}\n  xdeb: ${got}`);
      }
      expect(diff).toEqual([]);
    });
  });

  it.runIf(haveDpkgDeps)('live Dpkg::Deps still prints the committed outputs (so xdeb agrees with it)', () => {
    fixture.configs.forEach((cfg, k) => {
      for (const conflicts of [false, true]) {
        const fields = fixture.fields.filter((f) => isConflicts(f.field) === conflicts);
        const r = spawnSync(
          'perl',
          [
            `${ROOT}/bench/dpkg-deps-reduce.pl`,
            '--host-arch',
            cfg.hostArch,
            '--build-arch',
            cfg.buildArch,
            '--profiles',
            cfg.profiles.join(','),
            '--field',
            conflicts ? 'Build-Conflicts' : 'Build-Depends',
          ],
          { input: fields.map((f) => f.value + '\n').join(''), encoding: 'utf8', maxBuffer: 1 << 28 },
        );
        expect(r.status).toBe(0);
        expect(r.stdout.split('\n').slice(0, -1)).toEqual(fields.map((f) => f.expected[k]));
      }
    });
  });
});
