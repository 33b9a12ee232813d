// Bundles the console into dist/ (embedded into the spoor binary by webui.go).
import { build } from 'esbuild';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';

const out = 'dist';
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const common = { bundle: true, minify: true, sourcemap: 'linked', target: ['chrome110', 'firefox115', 'safari16'], logLevel: 'warning', legalComments: 'linked' };
await build({ ...common, entryPoints: { app: 'src/main.js' }, format: 'esm', outdir: out });
await build({ ...common, entryPoints: { worker: 'src/worker.js' }, format: 'iife', outdir: out });
await copyFile('src/index.html', `${out}/index.html`);
// Keeps the directory in git (see .gitignore) so go:embed finds it on a fresh clone.
await writeFile(`${out}/.keep`, '');
