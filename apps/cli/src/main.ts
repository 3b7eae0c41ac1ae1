#!/usr/bin/env node
// The `bentoo` executable: binds run() to this process. The commander wiring is in
// program.ts (so run() can be imported without side effects), the commands in commands/.
import { run } from "./run.js";

// `bentoo … | head` closes the pipe early; that is not a failure worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
