import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, parseConfig } from "@bentoo/gateway";
import { describe, expect, it } from "vitest";
import { imageEnvironment } from "./containerfile.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const containerfile = readFileSync(join(root, "Containerfile"), "utf8");
const image = imageEnvironment(containerfile);

/** The Containerfile's instructions, continuation lines joined, and those of its last (runtime) stage. */
const instructions = containerfile
  .replace(/\\\r?\n/g, " ")
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const runtime = instructions.slice(instructions.findLastIndex((line) => line.startsWith("FROM ")));
const instruction = (name: string) => runtime.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1).trim());

/**
 * What the image promises without a container engine to run it (deploy/ci/smoke.sh runs
 * it for real): its defaults make a configuration Bentoo accepts once a proxy or a
 * certificate is declared, the data lands on the /data volume, and the commands it runs exist.
 */
describe("the Containerfile", () => {
  it("listens on every interface but refuses plain HTTP until a proxy or a certificate is declared", () => {
    expect(image.HOST).toBe("0.0.0.0");
    expect(() => parseConfig(image)).toThrow(ConfigError);
    expect(parseConfig({ ...image, BENTOO_TRUSTED_PROXIES: "10.0.0.0/8" }).host).toBe("0.0.0.0");
  });

  it("keeps the SQLite file and the record journal on the /data volume", () => {
    expect(instruction("VOLUME")).toEqual(["/data"]);
    const config = parseConfig({ ...image, BENTOO_TRUSTED_PROXIES: "10.0.0.0/8" });
    expect(config.databaseUrl).toBe("sqlite:/data/bentoo.db");
    expect(config.journalDir.startsWith("/data/")).toBe(true);
    // With PostgreSQL too: the journal does not fall back to a directory inside the container.
    expect(parseConfig({ ...image, BENTOO_TRUSTED_PROXIES: "10.0.0.0/8", BENTOO_DATABASE_URL: "postgres://db/bentoo" }).journalDir).toBe(config.journalDir);
  });

  it("runs as a user of its own, and runs scripts the build produces", () => {
    expect(instruction("USER")).toEqual(["bentoo"]);
    const compiled = (script: string) => join(root, script.replace(/^apps\/gateway\/dist\/(.*)\.js$/, "apps/gateway/src/$1.ts"));
    const entrypoint = JSON.parse(instruction("ENTRYPOINT")[0]!) as string[];
    expect(entrypoint[0]).toBe("node");
    expect(existsSync(compiled(entrypoint.at(-1)!))).toBe(true);
    const healthcheck = /CMD (\[.*\])$/.exec(instruction("HEALTHCHECK")[0]!)![1]!;
    const command = JSON.parse(healthcheck) as string[];
    expect(command[0]).toBe("node");
    expect(existsSync(compiled(command[1]!))).toBe(true);
  });
});

describe("the static sites in the image", () => {
  const app = readFileSync(join(root, "apps/gateway/src/app.ts"), "utf8");
  /** The build folders app.ts serves, as `new URL("../../<app>/dist", import.meta.url)` from apps/gateway/dist. */
  const served = [...app.matchAll(/new URL\("\.\.\/\.\.\/([\w-]+)\/dist"/g)].map((match) => `apps/${match[1]}/dist`);

  it("the runtime stage copies every build folder the gateway serves, and the build stage builds it", () => {
    expect(served).toEqual(["apps/docs/dist", "apps/dashboard/dist"]);
    const copied = instruction("COPY").map((line) => line.split(/\s+/).at(-1));
    const build = instructions.join("\n");
    for (const folder of served) {
      expect(copied, folder).toContain(folder);
      const workspace = JSON.parse(readFileSync(join(root, folder, "..", "package.json"), "utf8")) as { name: string };
      expect(build, folder).toContain(`npm run build -w ${workspace.name}`);
    }
  });

  it("the build context keeps the docs' Markdown pages, which the image's docs build reads", () => {
    const ignore = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    expect(ignore).toContain("**/*.md");
    // Exceptions only work after the pattern they make an exception to.
    expect(ignore.indexOf("!apps/docs/pages/**/*.md")).toBeGreaterThan(ignore.indexOf("**/*.md"));
    expect(existsSync(join(root, "apps/docs/pages/index.md"))).toBe(true);
  });
});

describe("imageEnvironment", () => {
  it("reads both ENV forms, continuations and quotes, from the last stage only", () => {
    const text = ["FROM a AS build", "ENV BUILD_ONLY=1", "FROM b", "ENV A=1 \\", '    B="two words" \\', "    C=", "ENV LEGACY some value", "# ENV D=4"].join(
      "\n",
    );
    expect(imageEnvironment(text)).toEqual({ A: "1", B: "two words", C: "", LEGACY: "some value" });
  });
});
