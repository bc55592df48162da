// Build the console into partners_api/console/static: bundle, styles, world map, licenses,
// and build.json, which records a hash of the sources so a test can tell the output is stale.
import {build} from 'esbuild';
import {createHash} from 'node:crypto';
import {copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'partners_api', 'console', 'static');
const ATLAS = 'world-atlas/countries-110m.json';

/** Every file the build reads from this folder, sorted: the same list the Python test hashes. */
function sources() {
  const walk = (dir) => readdirSync(join(here, dir), {withFileTypes: true}).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    return entry.isDirectory() ? walk(path) : [path];
  });
  return ['build.mjs', 'package.json', 'package-lock.json', ...walk('src')].sort();
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** sha256 over "path\n" + sha256(content) + "\n" for each source, in order. */
function sourcesHash() {
  const hash = createHash('sha256');
  for (const path of sources()) hash.update(`${path}\n${sha256(readFileSync(join(here, path)))}\n`);
  return hash.digest('hex');
}

/** The npm packages (name -> folder) whose files went into the bundle, and the map's. */
function bundledPackages(metafile) {
  const found = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) found.set(match[1], join(here, 'node_modules', match[1]));
  }
  found.set('world-atlas', join(here, 'node_modules', 'world-atlas'));
  return new Map([...found].sort());
}

function licenses(packages) {
  const parts = ['Third-party packages bundled into the Partners API console, with their licenses.\n'];
  const versions = {};
  for (const [name, folder] of packages) {
    const meta = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    versions[name] = meta.version;
    const file = readdirSync(folder).find((f) => /^(license|licence|copying)/i.test(f));
    const text = file ? readFileSync(join(folder, file), 'utf8').trim() : `License: ${meta.license}`;
    parts.push(`${'='.repeat(72)}\n${name} ${meta.version} (${meta.license})\n${'='.repeat(72)}\n${text}\n`);
  }
  return {text: parts.join('\n'), versions};
}

rmSync(out, {recursive: true, force: true});
mkdirSync(out, {recursive: true});
const result = await build({
  entryPoints: {console: join(here, 'src', 'main.js'), 'console.css': join(here, 'src', 'console.css')},
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  target: ['es2022'],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
// esbuild names the stylesheet entry console.css.css.
copyFileSync(join(out, 'console.css.css'), join(out, 'console.css'));
rmSync(join(out, 'console.css.css'));
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'node_modules', ATLAS), join(out, 'countries-110m.json'));
const {text, versions} = licenses(bundledPackages(result.metafile));
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), text);

const files = {};
for (const name of readdirSync(out).sort()) files[name] = sha256(readFileSync(join(out, name)));
const record = {sources_sha256: sourcesHash(), sources: sources(), packages: versions, files};
writeFileSync(join(out, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
console.log(`console built into ${relative(process.cwd(), out) || '.'}: ${Object.keys(files).join(', ')}`);
