#!/usr/bin/env node
// Creates a self-signed certificate for local HTTPS development (docs/security.md):
//
//   npm run dev-cert                       # writes ./data/tls/dev-cert.pem and dev-key.pem
//   npm run dev-cert -- --out some/dir     # elsewhere
//   npm run dev-cert -- --force            # replace existing files
//
// Then: BENTOO_TLS_CERT=./data/tls/dev-cert.pem BENTOO_TLS_KEY=./data/tls/dev-key.pem npm start
// The certificate is for localhost, 127.0.0.1 and ::1, valid 30 days, ECDSA P-256,
// made by the system's openssl. It is for development only: clients must be told
// to trust it (curl --cacert …, NODE_EXTRA_CA_CERTS=…), never a production setup.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const directory = resolve(outIndex === -1 ? "data/tls" : (args[outIndex + 1] ?? "data/tls"));
const force = args.includes("--force");
const certPath = join(directory, "dev-cert.pem");
const keyPath = join(directory, "dev-key.pem");

if (!force && (existsSync(certPath) || existsSync(keyPath))) {
  process.stderr.write(`${certPath} or ${keyPath} already exists; pass --force to replace them.\n`);
  process.exit(1);
}
mkdirSync(directory, { recursive: true });
try {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "30",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
      "-addext",
      "extendedKeyUsage=serverAuth",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
} catch (error) {
  const detail = error && typeof error === "object" && "stderr" in error ? String(error.stderr) : String(error);
  process.stderr.write(`openssl failed (is it installed? on Debian/Ubuntu: apt-get install openssl):\n${detail}\n`);
  process.exit(1);
}
chmodSync(keyPath, 0o600);
process.stdout.write(
  [
    `Wrote a self-signed development certificate for localhost, 127.0.0.1 and ::1 (valid 30 days):`,
    `  certificate: ${certPath}`,
    `  private key: ${keyPath}`,
    "",
    "Serve HTTPS with:",
    `  BENTOO_TLS_CERT=${certPath} BENTOO_TLS_KEY=${keyPath} npm start`,
    "Trust it in a client, for example:",
    `  curl --cacert ${certPath} https://localhost:8080/healthz`,
    `  NODE_EXTRA_CA_CERTS=${certPath} node your-app.js`,
    "",
  ].join("\n"),
);
