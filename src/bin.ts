#!/usr/bin/env node
import { main } from './cli.js';

// Exit explicitly: a native keychain call stuck in a worker thread must not
// keep a finished command alive (stdout/stderr writes are synchronous for
// files, pipes and terminals on POSIX, so nothing is lost).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
