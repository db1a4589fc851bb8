// Releases built and signed at test time with the real tar and minisign,
// and a fake installed layout in a temp data dir.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Keys {
  pub: string;
  sec: string;
  pubText: string;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function makeKeys(dir: string, name: string): Keys {
  const pub = path.join(dir, `${name}.pub`);
  const sec = path.join(dir, `${name}.key`);
  execFileSync('minisign', ['-G', '-p', pub, '-s', sec, '-W'], { stdio: 'pipe' });
  return { pub, sec, pubText: fs.readFileSync(pub, 'utf8') };
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

function packageFiles(version: string, pubText: string | undefined): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'claude-sessions', version }, null, 2),
    'dist/cs.js': `#!/usr/bin/env node\nconsole.log('cs ${version}');\n`,
    'dist/hook.js': '',
    'hooks/pre-tool-use': '#!/bin/sh\nexit 0\n',
    ...(pubText === undefined ? {} : { 'minisign.pub': pubText }),
  };
}

/** versions/<version>/ with our release key, `current` pointing at it. */
export function installFake(dataDir: string, version: string, pubText: string, opts: { keyring?: boolean } = {}): string {
  const dir = path.join(dataDir, 'versions', version);
  writeTree(dir, {
    ...packageFiles(version, pubText),
    ...(opts.keyring ? { 'node_modules/@napi-rs/keyring/package.json': '{"name":"@napi-rs/keyring","version":"2.1.2"}' } : {}),
  });
  fs.symlinkSync(path.join('versions', version), path.join(dataDir, 'current'));
  return dir;
}

export interface ReleaseOptions {
  version: string;
  keys: Keys;
  /** Version written into the packaged package.json (default: `version`). */
  packageVersion?: string;
  /** Release key shipped in the new package (default: keys.pubText; null: none). */
  shippedKey?: string | null;
  legacy?: boolean;
  trustedComment?: string;
  /** Extra unsafe entry in the tarball. */
  evil?: 'dotdot' | 'symlink';
  /** Sign a file of this name, then publish it under the real name. */
  signAs?: string;
}

export interface BuiltRelease {
  tarball: string;
  name: string;
  sums: string;
  minisig: string;
  metadata: string;
}

/** Writes <name>.tgz, SHA256SUMS, <name>.tgz.minisig and release.json into `root`. */
export function buildRelease(root: string, opts: ReleaseOptions): BuiltRelease {
  fs.mkdirSync(root, { recursive: true });
  const stage = tempDir('cs-release-stage-');
  const name = `claude-sessions-${opts.version}.tgz`;
  const tarball = path.join(root, opts.signAs ?? name);
  const shipped = opts.shippedKey === undefined ? opts.keys.pubText : opts.shippedKey ?? undefined;
  writeTree(path.join(stage, 'package'), packageFiles(opts.packageVersion ?? opts.version, shipped));
  const entries = ['package'];
  if (opts.evil === 'dotdot') {
    fs.writeFileSync(path.join(stage, 'evil'), 'owned\n');
    entries.push('package/../evil');
  }
  if (opts.evil === 'symlink') fs.symlinkSync('/etc/passwd', path.join(stage, 'package', 'passwd'));
  execFileSync('tar', ['-czPf', tarball, '-C', stage, ...entries], { stdio: 'pipe' });
  fs.rmSync(stage, { recursive: true, force: true });

  const sigArgs = ['-S', '-s', opts.keys.sec, '-m', tarball, '-x', `${tarball}.minisig`];
  if (opts.legacy) sigArgs.push('-l');
  if (opts.trustedComment) sigArgs.push('-t', opts.trustedComment);
  execFileSync('minisign', sigArgs, { stdio: 'pipe' });
  if (opts.signAs) {
    fs.renameSync(tarball, path.join(root, name));
    fs.renameSync(`${tarball}.minisig`, path.join(root, `${name}.minisig`));
  }
  return finishRelease(root, opts.version, name);
}

/** (Re)writes SHA256SUMS and release.json for the files now in `root`. */
export function finishRelease(root: string, version: string, name: string): BuiltRelease {
  const tarball = path.join(root, name);
  const sha = createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
  const sums = path.join(root, 'SHA256SUMS');
  fs.writeFileSync(sums, `${'0'.repeat(64)}  other-file.txt\n${sha}  ${name}\n`);
  const metadata = path.join(root, 'release.json');
  fs.writeFileSync(metadata, JSON.stringify({ version, tarball: name, sha256sums: 'SHA256SUMS', minisig: `${name}.minisig` }));
  return { tarball, name, sums, minisig: `${tarball}.minisig`, metadata };
}
