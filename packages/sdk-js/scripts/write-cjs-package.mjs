// The package is `"type": "module"`, so Node would read dist/cjs/*.js as ES modules.
// This nested package.json marks the CommonJS build as CommonJS, for Node and for
// TypeScript's resolution of dist/cjs/*.d.ts.
import { writeFileSync } from "node:fs";

writeFileSync(new URL("../dist/cjs/package.json", import.meta.url), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
