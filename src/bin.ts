#!/usr/bin/env node
import { main } from './cli.js';
import { flushOutput } from './term/io.js';

// Exit explicitly: a native keychain call stuck in a worker thread must not
// keep a finished command alive. But only once the output is out: writes to
// a pipe go asynchronous past 64 KiB, and exiting at once cut them off.
main(process.argv.slice(2)).then(
  (code) => flushOutput().then(() => process.exit(code)),
  () => flushOutput().then(() => process.exit(1)),
);
