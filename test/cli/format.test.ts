// The code is formatted by prettier (.prettierrc.json: 140 columns): `npm run format` fixes what
// this finds.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

it('src, test, bench and scripts are as prettier formats them', () => {
  const r = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'prettier'),
    ['--list-different', 'src', 'test', 'bench', 'scripts', 'vitest.config.ts'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  expect(r.error).toBeUndefined();
  expect(r.stderr).toBe('');
  // --list-different names each file that differs (exit 1); none may.
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([]);
  expect(r.status).toBe(0);
});
