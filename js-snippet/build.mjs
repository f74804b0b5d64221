// Minifies src/vigie.js into collector/static/vigie.js (the file the collector
// serves at /js/vigie.js and the Python package ships) and enforces the size
// budget: exits 1 when the gzipped output is larger than the budget.
//
//   node build.mjs                      # writes ../collector/static/vigie.js
//   node build.mjs --out /tmp/vigie.js  # writes elsewhere (the tests compare)
//   node build.mjs --budget 1000        # a different budget, in gzipped bytes
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

const here = dirname(fileURLToPath(import.meta.url));
const BUDGET = 1536;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i === -1) return fallback;
  if (i + 1 >= process.argv.length) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const out = resolve(option('--out', join(here, '..', 'collector', 'static', 'vigie.js')));
const budget = Number(option('--budget', BUDGET));
if (!Number.isInteger(budget) || budget <= 0) {
  console.error('--budget must be a positive number of bytes');
  process.exit(2);
}

const source = readFileSync(join(here, 'src', 'vigie.js'), 'utf8');
const result = await minify(source, {
  ecma: 2015,
  compress: { passes: 3 },
  mangle: true,
  format: { comments: false }
});
const code = result.code + '\n';

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);

const raw = Buffer.byteLength(code);
const gzipped = gzipSync(code, { level: 9 }).length;
const where = relative(process.cwd(), out) || out;
console.log(`${where}: ${raw} bytes raw, ${gzipped} bytes gzipped (budget ${budget})`);
if (gzipped > budget) {
  console.error(`over budget by ${gzipped - budget} bytes gzipped`);
  process.exit(1);
}
