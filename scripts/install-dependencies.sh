#!/usr/bin/env bash
# Installs the npm dependencies (Node 22 comes with them as the `node` package) when they are
# missing or when CI asks for a clean install, then checks that node_modules/.bin/node is Node 22.
# `npm install --no-save` installs exactly the lockfile's versions without rewriting it; `npm ci`
# is not used because the lockfile keeps only the platform packages this registry serves.
#
# npm checks each package's "engines" against the Node that runs npm (the system's), not the
# Node 22 the project brings, and on an older system Node prints some ninety lines of EBADENGINE
# warnings. Those about Node are left out and checked again against the project's Node 22: one
# line says so, and only a package that Node 22 does not satisfy is named. Every other warning
# and error of npm stays as npm printed it, and npm's exit status is kept.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Copies npm's stderr through, keeping back each EBADENGINE block whose requirement names only
# Node; writes how many blocks it kept back to the file $1.
filter_node_engine_warnings() {
  awk -v count_file="$1" '
    /^npm (warn|WARN) EBADENGINE Unsupported engine \{/ { block = $0; inside = 1; about_npm = 0; next }
    inside {
      block = block "\n" $0
      if ($0 ~ /required:.*npm:/) about_npm = 1
      if ($0 ~ /^npm (warn|WARN) EBADENGINE \}/) {
        inside = 0
        if (about_npm) print block; else hidden++
      }
      next
    }
    { print }
    END { if (inside) print block; print hidden + 0 > count_file }
  '
}

# Names every installed package whose engines.node the project's Node does not satisfy.
check_engines_with_project_node() {
  # shellcheck disable=SC2016 # JavaScript, not shell, expands these
  node_modules/.bin/node --input-type=module -e '
    import { readdirSync, readFileSync, existsSync } from "node:fs";
    import { createRequire } from "node:module";
    const require = createRequire(`${process.cwd()}/package.json`);
    let semver;
    try { semver = require("semver"); } catch { process.exit(0); }
    const unmet = [];
    const visit = (dir) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
        if (entry.name.startsWith("@")) { visit(`${dir}/${entry.name}`); continue; }
        const folder = `${dir}/${entry.name}`;
        try {
          const { name, version, engines } = JSON.parse(readFileSync(`${folder}/package.json`, "utf8"));
          const wanted = engines?.node;
          if (typeof wanted === "string" && semver.validRange(wanted) && !semver.satisfies(process.version, wanted)) unmet.push(`${name}@${version} wants Node ${wanted}`);
        } catch {}
        visit(`${folder}/node_modules`);
      }
    };
    visit("node_modules");
    for (const line of unmet) console.error(`npm warn EBADENGINE ${line}; the project runs Node ${process.version}`);
  '
}

if [ ! -x node_modules/.bin/node ] || [ "${CI:-}" = "true" ]; then
  rm -rf node_modules
  hidden_file=$(mktemp)
  trap 'rm -f "$hidden_file"' EXIT
  status=0
  { npm install --no-save --no-audit --no-fund 2>&1 1>&3 3>&- | filter_node_engine_warnings "$hidden_file" >&2; } 3>&1 || status=$?
  [ "$status" -eq 0 ] || exit "$status"
  hidden=$(cat "$hidden_file")
  if [ "${hidden:-0}" -gt 0 ] && [ -x node_modules/.bin/node ]; then
    echo "npm warned that $hidden packages want a newer Node than the one npm runs on; the project brings its own Node $(node_modules/.bin/node --version), which is checked instead" >&2
    check_engines_with_project_node
  fi
fi
node_modules/.bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) === 22 ? 0 : 1)' || {
  echo "node_modules/.bin/node is not Node 22; delete node_modules and run again" >&2
  exit 1
}
