// The layers of docs/design.md §2: every import points down, cli → commands → flows → adapters →
// lib, with ui (specs, flags, output) below the layers that use it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const RANK: Record<string, number> = { lib: 0, ui: 1, adapters: 2, flows: 3, commands: 4, cli: 5 };

function importsOf(layer: string): { file: string; to: string; path: string }[] {
  const out: { file: string; to: string; path: string }[] = [];
  for (const file of readdirSync(join(ROOT, 'src', layer))) {
    const text = readFileSync(join(ROOT, 'src', layer, file), 'utf8');
    for (const m of text.matchAll(/(?:from |import\()\s*'\.\.\/(\w+)\/([\w.-]+)'/g)) out.push({ file, to: m[1]!, path: m[2]! });
  }
  return out;
}

it('every layer imports only the layers below it', () => {
  const up: string[] = [];
  for (const layer of Object.keys(RANK)) {
    const found = importsOf(layer);
    expect(found.length + readdirSync(join(ROOT, 'src', layer)).length).toBeGreaterThan(0);
    for (const i of found) {
      const allowed =
        layer === 'ui' ? i.to === 'lib' : layer === 'adapters' && i.to === 'ui' ? i.path === 'output.js' : RANK[i.to]! < RANK[layer]!;
      if (!allowed) up.push(`src/${layer}/${i.file} imports ../${i.to}/${i.path}`);
    }
  }
  expect(up).toEqual([]);
});

it('the check sees imports at all (it would catch one pointing up)', () => {
  expect(importsOf('commands').some((i) => i.to === 'flows')).toBe(true);
  expect(importsOf('flows').some((i) => i.to === 'adapters')).toBe(true);
});
