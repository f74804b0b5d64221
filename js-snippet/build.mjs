// Minifies the scripts of src/ into collector/static/ (the files the collector
// serves at /js/vigie.js and /js/vitals.js, and the Python package ships) and
// enforces each one's size budget: exits 1 when a gzipped output is larger.
//
//   node build.mjs                      # writes ../collector/static/vigie.js and vitals.js
//   node build.mjs --entry vitals       # only src/vitals.js
//   node build.mjs --out /tmp/vigie.js  # one script (--entry, default vigie) elsewhere (the tests compare)
//   node build.mjs --budget 1000        # a different budget, in gzipped bytes
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

const here = dirname(fileURLToPath(import.meta.url));
// Gzipped bytes: the tracker every page loads, and the opt-in vitals script.
const BUDGETS = { vigie: 1536, vitals: 1280 };

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i === -1) return fallback;
  if (i + 1 >= process.argv.length) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const outOption = option('--out', null);
const entry = option('--entry', outOption ? 'vigie' : null);
if (entry !== null && !(entry in BUDGETS)) {
  console.error(`--entry must be one of ${Object.keys(BUDGETS).join(', ')}`);
  process.exit(2);
}
const budgetOption = option('--budget', null);
if (budgetOption !== null && !(Number.isInteger(Number(budgetOption)) && Number(budgetOption) > 0)) {
  console.error('--budget must be a positive number of bytes');
  process.exit(2);
}

async function build(name, out, budget) {
  const source = readFileSync(join(here, 'src', `${name}.js`), 'utf8');
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
    console.error(`${name}.js: over budget by ${gzipped - budget} bytes gzipped`);
    return false;
  }
  return true;
}

let within = true;
for (const name of entry ? [entry] : Object.keys(BUDGETS)) {
  const out = resolve(outOption || join(here, '..', 'collector', 'static', `${name}.js`));
  const budget = budgetOption === null ? BUDGETS[name] : Number(budgetOption);
  within = (await build(name, out, budget)) && within;
}
if (!within) process.exit(1);
