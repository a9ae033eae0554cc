// Where xdeb keeps what it can make again (binary indexes, apt's index list, icecream bundles):
// $XDG_CACHE_HOME/xdeb, by default ~/.cache/xdeb.

import { homedir } from 'node:os';
import { join } from 'node:path';

export function xdebCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'xdeb');
}
