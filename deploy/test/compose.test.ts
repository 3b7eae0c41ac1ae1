import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllowlist } from "@bentoo/core";
import { ConfigError, parseConfig } from "@bentoo/gateway";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { imageEnvironment } from "./containerfile.js";

/**
 * compose.yaml cannot run here (no container engine with compose support), so this reads
 * it the way Compose does (YAML with merge keys, `${…}` interpolation) and checks what
 * would otherwise fail only on a user's machine: the keys Compose knows, references
 * between services, networks and volumes, and that each replica's environment, on top of
 * the image's, is a configuration Bentoo accepts.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));

// Keys of the Compose specification (compose-spec.io) at each level this file uses.
const TOP_LEVEL_KEYS = new Set(["name", "services", "networks", "volumes", "configs", "secrets", "include", "version"]);
const SERVICE_KEYS = new Set([
  "image",
  "build",
  "command",
  "entrypoint",
  "environment",
  "env_file",
  "ports",
  "volumes",
  "networks",
  "depends_on",
  "healthcheck",
  "restart",
  "hostname",
  "stop_grace_period",
  "stop_signal",
  "deploy",
  "labels",
  "logging",
  "user",
  "working_dir",
  "init",
  "ulimits",
  "read_only",
  "tmpfs",
  "secrets",
  "configs",
  "profiles",
  "pull_policy",
  "extra_hosts",
  "cap_drop",
  "security_opt",
]);
const HEALTHCHECK_KEYS = new Set(["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"]);

type Environment = Record<string, string>;

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Environment;
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Record<string, unknown>;
  hostname?: string;
  stop_grace_period?: string;
  ports?: string[];
  [key: string]: unknown;
}

interface ComposeFile {
  name: string;
  services: Record<string, Service>;
  networks: Record<string, { ipam?: { config: { subnet: string }[] } }>;
  volumes: Record<string, unknown>;
  [key: string]: unknown;
}

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` against `shell`; throws the message of a required one that is unset. */
function interpolate(text: string, shell: Environment): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_match, name: string, operator: string | undefined, argument: string | undefined) => {
    const value = shell[name];
    if (value !== undefined && value !== "") return value;
    if (operator === ":?") throw new Error(`${name}: ${argument}`);
    return operator === ":-" ? (argument ?? "") : "";
  });
}

function loadCompose(shell: Environment): ComposeFile {
  const document = parseDocument(interpolate(readFileSync(join(root, "compose.yaml"), "utf8"), shell), { merge: true, uniqueKeys: true });
  expect(document.errors).toEqual([]);
  return document.toJS() as ComposeFile;
}

const SHELL: Environment = { BENTOO_ADMIN_TOKEN: "compose-test-admin-token-0123456789", POSTGRES_PASSWORD: "compose-test-password" };
const compose = loadCompose(SHELL);
const bentooImage = compose.services["bentoo-1"]?.image;
const replicas = Object.entries(compose.services).filter(([, service]) => service.image === bentooImage);

const durationSeconds = (text: string) => {
  const match = /^(\d+)(s|m)$/.exec(text);
  if (match === null) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
};

describe("compose.yaml", () => {
  it("uses only keys Compose knows", () => {
    for (const key of Object.keys(compose)) expect(TOP_LEVEL_KEYS.has(key) || key.startsWith("x-"), `top-level key ${key}`).toBe(true);
    for (const [name, service] of Object.entries(compose.services)) {
      for (const key of Object.keys(service)) expect(SERVICE_KEYS.has(key), `services.${name}.${key}`).toBe(true);
      for (const key of Object.keys(service.healthcheck ?? {})) expect(HEALTHCHECK_KEYS.has(key), `services.${name}.healthcheck.${key}`).toBe(true);
    }
  });

  it("refuses to start without the admin token and the database password, naming them", () => {
    expect(() => loadCompose({ POSTGRES_PASSWORD: "x" })).toThrow(/^BENTOO_ADMIN_TOKEN: set BENTOO_ADMIN_TOKEN/);
    expect(() => loadCompose({ BENTOO_ADMIN_TOKEN: SHELL.BENTOO_ADMIN_TOKEN! })).toThrow(/^POSTGRES_PASSWORD: set POSTGRES_PASSWORD/);
  });

  it("runs two Bentoo replicas built from the Containerfile, each with its own journal volume and a fixed hostname", () => {
    expect(replicas.map(([name]) => name)).toEqual(["bentoo-1", "bentoo-2"]);
    const volumes = replicas.map(([, service]) => service.volumes?.find((volume) => volume.endsWith(":/data")));
    const hostnames = replicas.map(([, service]) => service.hostname);
    expect(new Set(volumes).size).toBe(2);
    expect(new Set(hostnames).size).toBe(2);
    for (const [name, service] of replicas) {
      expect(existsSync(join(root, service.build!.context, service.build!.dockerfile!)), name).toBe(true);
      expect(service.ports, `${name} is reached only through the proxy`).toBeUndefined();
      // Bentoo gives streams 25 s, then flushes the audit log and the ledger.
      expect(durationSeconds(service.stop_grace_period!), name).toBeGreaterThan(25);
    }
  });

  it("gives each replica an environment Bentoo starts with, on top of the image's, over PostgreSQL and Redis", () => {
    const image = imageEnvironment(readFileSync(join(root, "Containerfile"), "utf8"));
    expect(image.HOST).toBe("0.0.0.0");
    for (const [name, service] of replicas) {
      const config = parseConfig({ ...image, ...service.environment });
      expect(config.databaseUrl, name).toBe(`postgres://bentoo:${SHELL.POSTGRES_PASSWORD}@postgres:5432/bentoo`);
      expect(config.redisUrl, name).toBe("redis://redis:6379");
      expect(config.adminToken, name).toBe(SHELL.BENTOO_ADMIN_TOKEN);
      expect(config.seedDemo, name).toBe(false);
    }
    // Without the trusted proxy, the image's HOST=0.0.0.0 would be refused: the check above is not vacuous.
    const { BENTOO_TRUSTED_PROXIES: _proxies, ...withoutProxies } = replicas[0]![1].environment!;
    expect(() => parseConfig({ ...image, ...withoutProxies })).toThrow(ConfigError);
  });

  it("points the database URL at the postgres service's user, password and database", () => {
    const postgres = compose.services.postgres!;
    const url = new URL(replicas[0]![1].environment!.BENTOO_DATABASE_URL!);
    expect(url.hostname).toBe("postgres");
    expect(url.username).toBe(postgres.environment!.POSTGRES_USER);
    expect(url.password).toBe(postgres.environment!.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.environment!.POSTGRES_DB}`);
  });

  it("trusts exactly the proxy's fixed address, inside the network's subnet", () => {
    const subnet = compose.networks.bentoo!.ipam!.config[0]!.subnet;
    const inSubnet = parseAllowlist([subnet], "subnet");
    const addresses = Object.values(compose.services).map((service) => service.networks?.bentoo?.ipv4_address);
    expect(addresses.every((address) => address !== undefined && inSubnet.allows(address))).toBe(true);
    expect(new Set(addresses).size).toBe(addresses.length);
    const proxyAddress = compose.services.proxy!.networks!.bentoo!.ipv4_address!;
    for (const [name, service] of replicas) expect(service.environment!.BENTOO_TRUSTED_PROXIES, name).toBe(proxyAddress);
  });

  it("has the proxy terminate TLS and balance over both replicas on the port they listen on", () => {
    const proxy = compose.services.proxy!;
    expect(proxy.ports).toContain("443:443");
    const mount = proxy.volumes!.find((volume) => volume.endsWith(":/etc/caddy/Caddyfile:ro"))!;
    const caddyfile = readFileSync(join(root, mount.split(":")[0]!), "utf8");
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)![1]!.trim().split(/\s+/);
    const port = imageEnvironment(readFileSync(join(root, "Containerfile"), "utf8")).PORT;
    expect(upstreams).toEqual(replicas.map(([name]) => `${name}:${port}`));
    expect(caddyfile).toContain("health_uri /readyz");
  });

  it("refers only to services, networks and volumes it declares, and waits only on services with a health check", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        if (condition === "service_healthy") expect(compose.services[dependency]!.healthcheck, `${dependency} has a health check`).toBeDefined();
      }
      for (const network of Object.keys(service.networks ?? {})) expect(compose.networks[network], `${name} joins ${network}`).toBeDefined();
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        if (source.startsWith(".")) expect(existsSync(join(root, source)), `${name} mounts ${source}`).toBe(true);
        else expect(source in compose.volumes, `${name} mounts volume ${source}`).toBe(true);
      }
    }
  });
});
