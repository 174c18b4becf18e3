#!/usr/bin/env node
// Lays out leakgate's npm packages: the `leakgate` package (npm/leakgate: the launcher, its
// README and package.json) and one package per platform, all generated from the single
// template in npm/platform/ and the table npm/platforms.json, at Cargo.toml's version.
//
//   node scripts/npm-packages.js check    # exit 1 when npm/leakgate/package.json is out of
//                                         # step with Cargo.toml or npm/platforms.json
//   node scripts/npm-packages.js sync     # bring it back in step (after a version bump)
//   node scripts/npm-packages.js build OUT [--binary PLATFORM=PATH]... [--repository URL]
//                                         [--require-binaries]
//
// `build` writes OUT/leakgate and OUT/<platform> (e.g. OUT/linux-x64-gnu), each ready for
// `npm pack` or `npm publish`; --binary copies a built leakgate into a platform package's
// bin/. --repository sets every package's repository URL (npm publish --provenance checks
// it against the repository the workflow runs in). --require-binaries refuses to lay out a
// platform package without its binary (for publishing).
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const npmDir = path.join(root, 'npm');
const SCOPE = '@leakgate';

function fail(message) {
  process.stderr.write(`npm-packages: ${message}\n`);
  process.exit(1);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(`${path.relative(root, file)}: ${e.message}`);
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

// The `version` of Cargo.toml's [package] table (the only version leakgate has).
function cargoVersion() {
  const text = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  let section = '';
  for (const line of text.split('\n')) {
    const header = line.match(/^\s*\[([^\]]+)\]/);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const m = line.match(/^\s*version\s*=\s*"([^"]+)"/);
    if (section === 'package' && m) return m[1];
  }
  return fail('Cargo.toml has no [package] version');
}

function platforms() {
  return readJson(path.join(npmDir, 'platforms.json'));
}

// npm/leakgate/package.json as it should be: Cargo's version, one optional dependency per
// platform at exactly that version (the launcher and the binaries always move together).
function expectedMain(version) {
  const main = readJson(path.join(npmDir, 'leakgate', 'package.json'));
  main.version = version;
  main.optionalDependencies = {};
  for (const p of platforms()) main.optionalDependencies[`${SCOPE}/${p.name}`] = version;
  return main;
}

function check() {
  const version = cargoVersion();
  const file = path.join(npmDir, 'leakgate', 'package.json');
  const have = fs.readFileSync(file, 'utf8');
  const want = `${JSON.stringify(expectedMain(version), null, 2)}\n`;
  if (have !== want) {
    fail(
      `npm/leakgate/package.json is out of step with Cargo.toml (${version}) or ` +
        'npm/platforms.json: run `node scripts/npm-packages.js sync`',
    );
  }
  process.stdout.write(`npm-packages: npm/leakgate/package.json is at ${version}, in step\n`);
}

function sync() {
  const version = cargoVersion();
  writeJson(path.join(npmDir, 'leakgate', 'package.json'), expectedMain(version));
  process.stdout.write(`npm-packages: npm/leakgate/package.json set to ${version}\n`);
}

function fill(text, platform, version) {
  return text
    .replace(/PLATFORM/g, platform.name)
    .replace(/TITLE/g, platform.title)
    .replace(/TARGET/g, platform.target)
    .replace(/VERSION/g, version)
    .replace(/BINARY/g, `leakgate${platform.exe || ''}`);
}

// One platform package from the template: name, version, description and the os/cpu/libc
// fields that make package managers install it only where it runs.
function platformManifest(platform, version, repository) {
  const manifest = readJson(path.join(npmDir, 'platform', 'package.json'));
  manifest.name = `${SCOPE}/${platform.name}`;
  manifest.version = version;
  manifest.description = fill(manifest.description, platform, version);
  manifest.os = [platform.os];
  manifest.cpu = [platform.cpu];
  if (platform.libc) manifest.libc = [platform.libc];
  else delete manifest.libc;
  if (repository) manifest.repository = { type: 'git', url: repository };
  return manifest;
}

function copy(from, to, mode) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  if (mode) fs.chmodSync(to, mode);
}

function build(args) {
  const out = args.shift();
  if (!out || out.startsWith('--')) fail('build needs an output directory');
  const binaries = {};
  let repository = null;
  let requireBinaries = false;
  while (args.length) {
    const arg = args.shift();
    if (arg === '--binary') {
      const spec = args.shift() || '';
      const eq = spec.indexOf('=');
      if (eq < 1) fail(`--binary wants PLATFORM=PATH, not ${spec}`);
      binaries[spec.slice(0, eq)] = path.resolve(spec.slice(eq + 1));
    } else if (arg === '--repository') {
      repository = args.shift() || fail('--repository wants a URL');
    } else if (arg === '--require-binaries') {
      requireBinaries = true;
    } else {
      fail(`unknown argument ${arg}`);
    }
  }
  const version = cargoVersion();
  const table = platforms();
  for (const name of Object.keys(binaries)) {
    if (!table.some((p) => p.name === name)) fail(`--binary ${name}: no such platform in npm/platforms.json`);
    if (!fs.statSync(binaries[name], { throwIfNoEntry: false })) fail(`--binary ${name}: ${binaries[name]} does not exist`);
  }

  // The main package: the committed files, with the version and dependencies in step.
  const mainOut = path.join(out, 'leakgate');
  fs.rmSync(mainOut, { recursive: true, force: true });
  const main = expectedMain(version);
  if (repository) main.repository = { type: 'git', url: repository };
  fs.mkdirSync(mainOut, { recursive: true });
  writeJson(path.join(mainOut, 'package.json'), main);
  copy(path.join(npmDir, 'leakgate', 'README.md'), path.join(mainOut, 'README.md'));
  copy(path.join(npmDir, 'leakgate', 'bin', 'leakgate.js'), path.join(mainOut, 'bin', 'leakgate.js'), 0o755);

  const readme = fs.readFileSync(path.join(npmDir, 'platform', 'README.md'), 'utf8');
  for (const platform of table) {
    const dir = path.join(out, platform.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    writeJson(path.join(dir, 'package.json'), platformManifest(platform, version, repository));
    fs.writeFileSync(path.join(dir, 'README.md'), fill(readme, platform, version));
    const binary = binaries[platform.name];
    if (binary) {
      copy(binary, path.join(dir, 'bin', `leakgate${platform.exe || ''}`), 0o755);
    } else if (requireBinaries) {
      fail(`no --binary for ${platform.name} (--require-binaries)`);
    }
  }
  const built = Object.keys(binaries).join(', ') || 'none';
  process.stdout.write(
    `npm-packages: laid out leakgate ${version} and ${table.length} platform packages in ${out} (binaries: ${built})\n`,
  );
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'check') check();
else if (command === 'sync') sync();
else if (command === 'build') build(rest);
else fail('usage: npm-packages.js check | sync | build OUT [--binary PLATFORM=PATH]... [--repository URL] [--require-binaries]');
