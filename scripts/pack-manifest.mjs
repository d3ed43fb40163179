// npm pack / npm publish: the packed package.json leaves out the `prepare` script (it builds dist/ in a
// clone; an installed package has dist/ already, and npm 11 warns whoever installs a package that has one).
// `prepack` strips it and keeps the original beside it; `postpack` puts the original back. Hand-written:
// pinst does this for `postinstall` only.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const kept = new URL('../package.json.unpacked', import.meta.url);

if (process.argv[2] === 'strip') {
  if (existsSync(kept)) renameSync(kept, manifest); // a pack cut short left it stripped: start from the original
  const text = readFileSync(manifest, 'utf8');
  const json = JSON.parse(text);
  delete json.scripts.prepare;
  writeFileSync(kept, text);
  writeFileSync(manifest, JSON.stringify(json, null, 2) + '\n');
} else if (process.argv[2] === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  process.stderr.write('usage: node scripts/pack-manifest.mjs strip|restore\n');
  process.exit(2);
}
