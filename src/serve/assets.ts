import { readFile } from 'node:fs/promises';

/** One file of the page: its bytes and type. @internal */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** The page's files, under the package's `assets/serve/` (shipped as they are: no build step). */
const FILES: Readonly<Record<string, [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/page.js': ['page.js', 'text/javascript; charset=utf-8'],
  '/page.css': ['page.css', 'text/css; charset=utf-8'],
};

/** Reads the page's files once (they are small), by the path each is served at. @internal */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const dir = new URL('../../assets/serve/', import.meta.url);
  const entries = await Promise.all(Object.entries(FILES).map(async ([route, [file, type]]) => [route, { body: await readFile(new URL(file, dir)), type }] as const));
  return new Map(entries);
}
