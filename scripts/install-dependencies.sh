#!/usr/bin/env bash
# Installs the npm dependencies (Node 22 comes with them as the `node` package) when they are
# missing or when CI asks for a clean install, then checks that node_modules/.bin/node is Node 22.
# `npm install --no-save` installs exactly the lockfile's versions without rewriting it; `npm ci`
# is not used because the lockfile keeps only the platform packages this registry serves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x node_modules/.bin/node ] || [ "${CI:-}" = "true" ]; then
  rm -rf node_modules
  npm install --no-save --no-audit --no-fund
fi
node_modules/.bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) === 22 ? 0 : 1)' || {
  echo "node_modules/.bin/node is not Node 22; delete node_modules and run again" >&2
  exit 1
}
