import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCertificates {
  /** PEM of the test CA, for clients to trust. */
  ca: string;
  caPath: string;
  /** Server certificate (signed by the CA) for localhost, 127.0.0.1 and ::1, and its key. */
  certPath: string;
  keyPath: string;
}

/**
 * A throwaway certificate authority and a server certificate it signed, made with
 * the system's openssl in `directory` (P-256 keys, valid for a day). Tests trust the
 * CA explicitly, never the system store.
 */
export function createTestCertificates(directory: string): TestCertificates {
  const path = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ecKey,
    "-days",
    "1",
    "-subj",
    "/CN=Bentoo Test CA",
    "-keyout",
    path("ca.key"),
    "-out",
    path("ca.pem"),
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  openssl("req", "-new", ...ecKey, "-subj", "/CN=localhost", "-keyout", path("server.key"), "-out", path("server.csr"));
  writeFileSync(
    path("server.ext"),
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    path("server.csr"),
    "-CA",
    path("ca.pem"),
    "-CAkey",
    path("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    path("server.ext"),
    "-out",
    path("server.pem"),
  );
  return { ca: readFileSync(path("ca.pem"), "utf8"), caPath: path("ca.pem"), certPath: path("server.pem"), keyPath: path("server.key") };
}
