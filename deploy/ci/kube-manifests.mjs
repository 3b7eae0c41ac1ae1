#!/usr/bin/env node
// What deploy/ci/smoke.sh does with the Helm chart's rendered manifests (`helm template`).
//
//   node kube-manifests.mjs check <manifests.yaml>           the resources a cluster needs, wired together
//   node kube-manifests.mjs split <manifests.yaml> <dir>      for `podman kube play` (see below)
//
// `split` writes <dir>/play.yaml (every document but the Secrets) and, for each Secret,
// <dir>/secrets/<name>.json: its data as one JSON object of base64 values, the form in
// which `podman kube play` (4.x) reads a Secret referenced by secretKeyRef/secretRef
// from a podman secret of that name. play.yaml is for `podman kube play --network host`
// on one machine: every port is the host's, so a Deployment runs one replica (two would
// listen on one port, and podman gives their emptyDir volumes one name), containers lose
// their `ports` (podman cannot map them) and probes that name a port get its number.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

class ManifestError extends Error {}

function check(condition, message) {
  if (!condition) throw new ManifestError(message);
}

function readManifests(path) {
  const documents = parseAllDocuments(readFileSync(path, "utf8"));
  for (const document of documents) check(document.errors.length === 0, `${path}: ${document.errors.map((error) => error.message).join("; ")}`);
  return documents.map((document) => document.toJS()).filter((resource) => resource !== null);
}

function only(resources, kind, name) {
  const matching = resources.filter((resource) => resource.kind === kind && (name === undefined || resource.metadata?.name === name));
  check(matching.length === 1, `expected one ${kind}${name === undefined ? "" : ` ${name}`}, found ${matching.length}`);
  return matching[0];
}

const selects = (selector, labels) => Object.entries(selector ?? {}).every(([label, value]) => labels?.[label] === value);

function checkManifests(resources) {
  const deployment = only(resources, "Deployment");
  const pod = deployment.spec.template;
  const podLabels = pod.metadata.labels;
  check(deployment.spec.replicas >= 2, `the Deployment runs ${deployment.spec.replicas} replica(s); the chart's default is 2`);
  check(selects(deployment.spec.selector.matchLabels, podLabels), "the Deployment's selector does not select its own pods");
  const [container] = pod.spec.containers;
  const port = container.ports.find((entry) => entry.name === "http");
  check(port !== undefined, "the container has no port named http");
  check(container.readinessProbe?.httpGet?.path === "/readyz", "the readiness probe is not GET /readyz");
  check(container.livenessProbe?.httpGet?.path === "/healthz", "the liveness probe is not GET /healthz");
  check(container.resources?.requests?.cpu && container.resources?.requests?.memory, "the container has no CPU and memory requests");
  const annotations = pod.metadata.annotations ?? {};
  check(annotations["prometheus.io/scrape"] === "true", "the pods are not annotated for Prometheus");
  check(
    annotations["prometheus.io/port"] === String(port.containerPort) && annotations["prometheus.io/path"] === "/metrics",
    "the Prometheus annotations do not name the pod's /metrics port",
  );
  check(pod.spec.terminationGracePeriodSeconds > 25, "the termination grace period does not cover the 25 s Bentoo gives streams in flight");

  const env = Object.fromEntries(container.env.map((entry) => [entry.name, entry]));
  const secrets = resources.filter((resource) => resource.kind === "Secret");
  for (const variable of ["BENTOO_DATABASE_URL", "BENTOO_REDIS_URL", "BENTOO_ADMIN_TOKEN"]) {
    const reference = env[variable]?.valueFrom?.secretKeyRef;
    check(reference !== undefined, `${variable} is not read from a Secret`);
    const secret = secrets.find((resource) => resource.metadata.name === reference.name);
    check(
      secret?.stringData?.[reference.key] ?? secret?.data?.[reference.key],
      `${variable} names key ${reference.key} of Secret ${reference.name}, which the manifests do not hold`,
    );
  }
  for (const source of container.envFrom ?? []) {
    check(
      secrets.some((resource) => resource.metadata.name === source.secretRef?.name),
      `envFrom names Secret ${source.secretRef?.name}, which the manifests do not hold`,
    );
  }
  check(container.envFrom?.length > 0, "no provider keys are loaded from a Secret");

  const catalogPath = env.BENTOO_CATALOG?.value;
  check(catalogPath !== undefined, "BENTOO_CATALOG is not set although a catalog is given");
  const catalogMount = container.volumeMounts.find((mount) => catalogPath.startsWith(`${mount.mountPath}/`));
  const catalogVolume = pod.spec.volumes.find((volume) => volume.name === catalogMount?.name);
  const configMap = only(resources, "ConfigMap", catalogVolume?.configMap?.name);
  const catalogFile = catalogPath.slice(catalogMount.mountPath.length + 1);
  JSON.parse(configMap.data[catalogFile]);

  const service = only(resources, "Service");
  check(selects(service.spec.selector, podLabels), "the Service does not select the Deployment's pods");
  check(
    service.spec.ports.some((entry) => entry.targetPort === "http"),
    "the Service does not forward to the port named http",
  );
  const budget = only(resources, "PodDisruptionBudget");
  check(selects(budget.spec.selector.matchLabels, podLabels), "the PodDisruptionBudget does not select the Deployment's pods");
  const ingresses = resources.filter((resource) => resource.kind === "Ingress");
  for (const ingress of ingresses) {
    for (const rule of ingress.spec.rules)
      for (const path of rule.http.paths)
        check(
          path.backend.service.name === service.metadata.name,
          `the Ingress routes ${rule.host}${path.path} to ${path.backend.service.name}, not the Service`,
        );
  }
  const kinds = resources.map((resource) => resource.kind).sort();
  console.log(`manifests: ${kinds.join(", ")}; wired together`);
}

function forHostNetwork(container) {
  const numbers = Object.fromEntries((container.ports ?? []).map((port) => [port.name, port.containerPort]));
  for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
    const action = probe?.httpGet ?? probe?.tcpSocket;
    if (action !== undefined && typeof action.port === "string") action.port = numbers[action.port];
  }
  delete container.ports;
}

function split(resources, directory) {
  mkdirSync(join(directory, "secrets"), { recursive: true });
  const secretNames = [];
  for (const secret of resources.filter((resource) => resource.kind === "Secret")) {
    const data = { ...secret.data };
    for (const [key, value] of Object.entries(secret.stringData ?? {})) data[key] = Buffer.from(String(value), "utf8").toString("base64");
    writeFileSync(join(directory, "secrets", `${secret.metadata.name}.json`), JSON.stringify(data), { mode: 0o600 });
    secretNames.push(secret.metadata.name);
  }
  const rest = resources.filter((resource) => resource.kind !== "Secret");
  for (const deployment of rest.filter((resource) => resource.kind === "Deployment")) {
    deployment.spec.replicas = 1;
    for (const container of deployment.spec.template.spec.containers) forHostNetwork(container);
  }
  writeFileSync(join(directory, "play.yaml"), rest.map((resource) => stringify(resource)).join("---\n"));
  console.log(secretNames.join("\n"));
}

const [command, path, directory] = process.argv.slice(2);
try {
  if (command === "check" && path !== undefined) checkManifests(readManifests(path));
  else if (command === "split" && path !== undefined && directory !== undefined) split(readManifests(path), directory);
  else {
    console.error("usage: kube-manifests.mjs check <manifests.yaml> | split <manifests.yaml> <dir>");
    process.exit(2);
  }
} catch (error) {
  console.error(`manifests: ${error instanceof ManifestError ? error.message : (error.stack ?? error)}`);
  process.exit(1);
}
