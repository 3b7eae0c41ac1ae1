import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { probeReadiness, readinessUrl } from "../src/healthcheck.js";

describe("readinessUrl (where the container health check asks)", () => {
  it("reaches a wildcard HOST on loopback, any other address as given", () => {
    expect(readinessUrl({}).href).toBe("http://127.0.0.1:8080/readyz");
    expect(readinessUrl({ HOST: "0.0.0.0", PORT: "9000" }).href).toBe("http://127.0.0.1:9000/readyz");
    expect(readinessUrl({ HOST: "::", PORT: "9000" }).href).toBe("http://[::1]:9000/readyz");
    expect(readinessUrl({ HOST: "10.1.2.3" }).href).toBe("http://10.1.2.3:8080/readyz");
    expect(readinessUrl({ HOST: "2001:db8::5" }).href).toBe("http://[2001:db8::5]:8080/readyz");
    expect(readinessUrl({ HOST: "localhost", PORT: " 8443 " }).href).toBe("http://localhost:8443/readyz");
  });

  it("uses HTTPS when Bentoo terminates TLS itself", () => {
    expect(readinessUrl({ HOST: "0.0.0.0", BENTOO_TLS_CERT: "/etc/bentoo/tls/tls.crt" }).href).toBe("https://127.0.0.1:8080/readyz");
    expect(readinessUrl({ BENTOO_TLS_CERT: "  " }).protocol).toBe("http:");
  });
});

describe("probeReadiness", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<URL> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return new URL(`http://127.0.0.1:${port}/readyz`);
  }

  it("is ready on a 200 only", async () => {
    let status = 200;
    const url = await serve((_request, response) => response.writeHead(status).end("{}"));
    expect(await probeReadiness(url, 1000)).toEqual({ ready: true });
    status = 503;
    expect(await probeReadiness(url, 1000)).toEqual({ ready: false, reason: `${url.href} answered 503: {}` });
  });

  it("gives up after the timeout on a server that never answers", async () => {
    const url = await serve(() => undefined);
    const started = Date.now();
    expect(await probeReadiness(url, 200)).toEqual({ ready: false, reason: `${url.href}: no answer within 200 ms` });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
