/**
 * The environment a Containerfile's final stage sets with `ENV` (both the `ENV a=b c=d`
 * and the older `ENV a b` forms, with `\` continuations): the defaults a container of the
 * image starts with, before any `-e`/`environment:` on top.
 */
export function imageEnvironment(containerfile: string): Record<string, string> {
  const instructions = containerfile
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const lastStage = instructions.findLastIndex((line) => /^FROM\s/i.test(line));
  const environment: Record<string, string> = {};
  for (const line of instructions.slice(lastStage + 1)) {
    const match = /^ENV\s+(.*)$/i.exec(line);
    if (match === null) continue;
    const body = match[1]!.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
      const [name, ...value] = body.split(/\s+/);
      environment[name!] = value.join(" ");
      continue;
    }
    for (const pair of body.match(/[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|\S*)/g) ?? []) {
      const index = pair.indexOf("=");
      environment[pair.slice(0, index)] = pair.slice(index + 1).replace(/^"(.*)"$/, "$1");
    }
  }
  return environment;
}
