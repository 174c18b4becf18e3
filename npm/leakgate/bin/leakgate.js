#!/usr/bin/env node
// The `leakgate` command of the npm package: finds the prebuilt binary your package manager
// installed for this machine and runs it with the same arguments, stdin, stdout and stderr,
// then exits as it did (same code, or the same signal).
//
// The binaries live in one optional dependency per platform (@leakgate/linux-x64-gnu, …),
// each restricted by its `os`, `cpu` and `libc` fields, so a package manager installs only
// the one that fits and nothing is downloaded by an install script.
//
// LEAKGATE_BINARY_PATH=/path/to/leakgate skips the lookup (a binary built from source).
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SCOPE = '@leakgate';
// Exit status when there is no binary to run: not 1 (findings) or 2 (leakgate's own usage
// error), so the git hook shims report "leakgate failed" and print the bypass.
const NO_BINARY = 127;

const manifest = require('../package.json');

function say(line) {
  process.stderr.write(`leakgate: ${line}\n`);
}

// 'gnu' or 'musl' on Linux, null elsewhere. Node built against glibc reports the glibc it
// runs on in its diagnostic report; a musl build has no such field.
function linuxLibc() {
  if (process.platform !== 'linux') return null;
  const report = process.report;
  if (report && typeof report.getReport === 'function') {
    try {
      // The network part of the report can cost seconds on some hosts; we need none of it.
      if ('excludeNetwork' in report) report.excludeNetwork = true;
      const header = report.getReport().header || {};
      return header.glibcVersionRuntime ? 'gnu' : 'musl';
    } catch (_) {
      // Fall through to looking for musl's dynamic loader.
    }
  }
  try {
    return fs.readdirSync('/lib').some((f) => f.startsWith('ld-musl-')) ? 'musl' : 'gnu';
  } catch (_) {
    return 'gnu';
  }
}

// The platform package names to try, best first. Names follow Node's own platform and arch
// words, plus the libc on Linux. A glibc machine may also run the musl build (it is static);
// the reverse does not hold, so a musl machine gets no glibc fallback.
function candidates(libc) {
  const base = `${process.platform}-${process.arch}`;
  if (libc === 'gnu') return [`${base}-gnu`, `${base}-musl`];
  if (libc === 'musl') return [`${base}-musl`];
  return [base];
}

function binaryName() {
  return process.platform === 'win32' ? 'leakgate.exe' : 'leakgate';
}

// The directory of an installed package, or null. Resolved from this file, so it works in
// every layout (npm's and bun's hoisted node_modules, pnpm's symlinked store, yarn's
// node-modules linker and, for unplugged packages, Plug'n'Play).
function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [__dirname] }));
  } catch (_) {
    return null;
  }
}

function platformWords(libc) {
  return `${process.platform} ${process.arch}${libc ? ` (${libc === 'gnu' ? 'glibc' : 'musl'})` : ''}`;
}

function fromSource(lines) {
  lines.push(
    'or build it from source with Rust\'s cargo (./install.sh --no-hooks, or cargo install --path .,',
    'in a checkout of leakgate\'s sources), then set LEAKGATE_BINARY_PATH to the binary it installs',
    '(~/.cargo/bin/leakgate): this launcher then runs that one.',
  );
  return lines;
}

// Finds the binary; returns { bin } or { problem: [lines] }.
function locate() {
  const override = process.env.LEAKGATE_BINARY_PATH;
  if (override) {
    if (!fs.existsSync(override)) {
      return { problem: [`LEAKGATE_BINARY_PATH is ${override}, which does not exist.`] };
    }
    return { bin: override };
  }
  const libc = linuxLibc();
  const known = Object.keys(manifest.optionalDependencies || {});
  const wanted = candidates(libc).map((c) => `${SCOPE}/${c}`);
  const supported = wanted.filter((w) => known.includes(w));
  for (const name of supported) {
    const dir = packageDir(name);
    if (!dir) continue;
    const bin = path.join(dir, 'bin', binaryName());
    if (fs.existsSync(bin)) return { bin };
    return {
      problem: [
        `${name} is installed (${dir}) but has no bin/${binaryName()}: reinstall it`,
        '(delete node_modules and run your package manager\'s install again).',
      ],
    };
  }
  if (supported.length === 0) {
    return {
      problem: fromSource([
        `there is no prebuilt leakgate binary for ${platformWords(libc)} (the npm package has:`,
        `${known.map((k) => k.slice(SCOPE.length + 1)).join(', ')}).`,
        'Ask for one in the leakgate issues,',
      ]),
    };
  }
  return {
    problem: fromSource([
      `the package with leakgate's binary for this machine (${platformWords(libc)}), ${supported[0]},`,
      `is not installed next to leakgate ${manifest.version}. It is an optional dependency: it is`,
      'skipped by --omit=optional / --no-optional, and a lockfile written on another platform can',
      'leave it out (npm: delete node_modules and package-lock.json, then npm install). Reinstall',
      'with optional dependencies,',
    ]),
  };
}

// Runs the binary; this process then exits exactly as the binary did.
function run(bin, args) {
  if (process.platform !== 'win32') {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch (_) {
      // Some extractors drop the mode bits; the file is ours to fix.
      try {
        fs.chmodSync(bin, 0o755);
      } catch (_) {
        // spawn reports EACCES below.
      }
    }
  }
  const child = childProcess.spawn(bin, args, { stdio: 'inherit' });
  // A signal sent to this process (not to the whole process group) goes on to the binary;
  // the binary's own exit then decides how this process exits.
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const forward = (signal) => {
    try {
      child.kill(signal);
    } catch (_) {
      // Already gone.
    }
  };
  if (process.platform !== 'win32') {
    for (const s of forwarded) process.on(s, forward);
  }
  child.on('error', (err) => {
    say(`cannot run ${bin}: ${err.message}`);
    process.exit(NO_BINARY);
  });
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.removeListener(s, forward);
    if (signal && process.platform !== 'win32') {
      const status = 128 + (os.constants.signals[signal] || 0);
      // SIGUSR1 would start Node's inspector instead of ending this process.
      if (signal === 'SIGUSR1') process.exit(status);
      // Die of the same signal, so our parent (a shell, git) sees what the binary got.
      process.kill(process.pid, signal);
      // A signal Node ignores (SIGPIPE) leaves us running: exit as a shell would report it.
      setTimeout(() => process.exit(status), 500);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}

const found = locate();
if (found.problem) {
  for (const line of found.problem) say(line);
  process.exit(NO_BINARY);
}
run(found.bin, process.argv.slice(2));
