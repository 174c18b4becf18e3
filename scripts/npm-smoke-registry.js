#!/usr/bin/env node
// A read-only npm registry on 127.0.0.1 for scripts/npm-smoke.sh: it serves the packed
// @leakgate/* platform packages (their package.json, os/cpu/libc included, as a registry
// would), so package managers pick the platform package the way they will once it is
// published, instead of taking every `file:` tarball they are handed.
//
//   node scripts/npm-smoke-registry.js PACKAGES-DIR TARBALLS-DIR PORT-FILE
//
// PACKAGES-DIR holds the laid-out packages (scripts/npm-packages.js build), TARBALLS-DIR
// their `npm pack` tarballs. Writes the port it listens on to PORT-FILE; runs until killed.
// Anything it doesn't have is a 404.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

const [packagesDir, tarballsDir, portFile] = process.argv.slice(2);
if (!portFile) {
  process.stderr.write('usage: npm-smoke-registry.js PACKAGES-DIR TARBALLS-DIR PORT-FILE\n');
  process.exit(2);
}

// name → { manifest, file } for every scoped package laid out.
const packages = new Map();
for (const dir of fs.readdirSync(packagesDir)) {
  const manifest = JSON.parse(fs.readFileSync(path.join(packagesDir, dir, 'package.json'), 'utf8'));
  if (!manifest.name.startsWith('@')) continue;
  const file = `${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz`;
  if (fs.existsSync(path.join(tarballsDir, file))) packages.set(manifest.name, { manifest, file });
}

function packument(name, base) {
  const { manifest, file } = packages.get(name);
  const bytes = fs.readFileSync(path.join(tarballsDir, file));
  const version = {
    ...manifest,
    _id: `${name}@${manifest.version}`,
    dist: {
      tarball: `${base}/-/${file}`,
      shasum: crypto.createHash('sha1').update(bytes).digest('hex'),
      integrity: `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
    },
  };
  // Published when packed (registries say when; some package managers read it).
  const when = fs.statSync(path.join(tarballsDir, file)).mtime.toISOString();
  return {
    _id: name,
    name,
    'dist-tags': { latest: manifest.version },
    versions: { [manifest.version]: version },
    time: { created: when, modified: when, [manifest.version]: when },
  };
}

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  const base = `http://127.0.0.1:${server.address().port}`;
  if (url.startsWith('/-/')) {
    const file = path.basename(url);
    const full = path.join(tarballsDir, file);
    if ([...packages.values()].some((p) => p.file === file) && fs.existsSync(full)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      fs.createReadStream(full).pipe(res);
      return;
    }
  } else {
    const name = url.slice(1);
    if (packages.has(name)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(packument(name, base)));
      return;
    }
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port));
});
