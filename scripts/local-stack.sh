#!/usr/bin/env bash
# The local Google Cloud stack on loopback: the Firestore emulator (Google Cloud CLI)
# and goccy's BigQuery emulator (built from the pinned Go module in scripts/bigquery-emulator).
#
#   scripts/local-stack.sh start   install what is missing, start both (reusing running ones), wait until they answer
#   scripts/local-stack.sh stop    stop what `start` started; emulators that were already running are left alone
#   scripts/local-stack.sh env     print the export lines that point the programs at the stack
#   scripts/local-stack.sh status  say which emulators answer
#
# Ports and project come from FIRESTORE_PORT (8686), BIGQUERY_PORT (9050), BIGQUERY_GRPC_PORT (9060)
# and LOCAL_PROJECT (local-healing).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir="$root/.local/stack"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/auto-batch-cleanup"
firestore_port=${FIRESTORE_PORT:-8686}
bigquery_port=${BIGQUERY_PORT:-9050}
bigquery_grpc_port=${BIGQUERY_GRPC_PORT:-9060}
project=${LOCAL_PROJECT:-local-healing}
emulator_version=$(awk '$2 == "github.com/goccy/bigquery-emulator" {print $3; exit}' "$root/scripts/bigquery-emulator/go.mod")
bigquery_bin="$cache_dir/bigquery-emulator-$emulator_version"

say() { printf '[local-stack] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# A busy emulator can take seconds to answer; wait_for polls with a shorter limit.
check_timeout=10
answers() { curl -fs -o /dev/null --max-time "$check_timeout" "$1"; }
# Something listens on the port (it may be busy and slow to answer).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
firestore_up() { answers "http://127.0.0.1:$firestore_port/"; }
bigquery_up() { answers "http://127.0.0.1:$bigquery_port/bigquery/v2/projects/$project/datasets"; }

wait_for() {
  local name=$1 check=$2 pid=$3 log=$4 seconds=$5
  for _ in $(seq 1 $((seconds * 4))); do
    if check_timeout=2 "$check"; then say "$name answers"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "$name exited while starting; its log is $log"
    fi
    sleep 0.25
  done
  tail -n 20 "$log" >&2 || true
  die "$name did not answer within ${seconds}s; its log is $log"
}

install_bigquery_emulator() {
  [ -x "$bigquery_bin" ] && return 0
  command -v go >/dev/null || die "Go is needed to build the BigQuery emulator and is not on PATH"
  say "building the BigQuery emulator $emulator_version (first time only; takes several minutes)"
  mkdir -p "$cache_dir"
  (cd "$root/scripts/bigquery-emulator" &&
    GOFLAGS=-mod=mod go build -o "$bigquery_bin.tmp" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator) ||
    die "building the BigQuery emulator failed"
  mv "$bigquery_bin.tmp" "$bigquery_bin"
}

check_firestore_emulator() {
  command -v gcloud >/dev/null || die "the Google Cloud CLI (gcloud) is needed for the Firestore emulator and is not on PATH"
  command -v java >/dev/null || die "Java 17 or newer is needed for the Firestore emulator and is not on PATH"
}

# Starts a command in its own process group so that stop can end it and its children.
launch() {
  local name=$1; shift
  local log="$state_dir/$name.log"
  setsid "$@" >"$log" 2>&1 < /dev/null &
  echo $! >"$state_dir/$name.pid"
  echo $!
}

start() {
  mkdir -p "$state_dir"
  command -v curl >/dev/null || die "curl is needed to check the emulators and is not on PATH"
  if firestore_up; then
    say "Firestore emulator already answers on 127.0.0.1:$firestore_port; reusing it"
  elif listening "$firestore_port"; then
    die "port $firestore_port is taken but no Firestore emulator answers there; free it or set FIRESTORE_PORT"
  else
    check_firestore_emulator
    say "starting the Firestore emulator on 127.0.0.1:$firestore_port"
    pid=$(launch firestore gcloud emulators firestore start --host-port="127.0.0.1:$firestore_port" --quiet)
    wait_for "Firestore emulator" firestore_up "$pid" "$state_dir/firestore.log" 90
  fi
  if bigquery_up; then
    say "BigQuery emulator already answers on 127.0.0.1:$bigquery_port; reusing it"
  elif listening "$bigquery_port"; then
    die "port $bigquery_port is taken but no BigQuery emulator answers there; free it or set BIGQUERY_PORT"
  else
    install_bigquery_emulator
    say "starting the BigQuery emulator on 127.0.0.1:$bigquery_port (project $project)"
    pid=$(launch bigquery "$bigquery_bin" --project="$project" --host=127.0.0.1 \
      --port="$bigquery_port" --grpc-port="$bigquery_grpc_port" --log-level=error)
    wait_for "BigQuery emulator" bigquery_up "$pid" "$state_dir/bigquery.log" 60
  fi
}

stop_one() {
  local name=$1 pidfile="$state_dir/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping the $name emulator"
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

print_env() {
  cat <<ENV
export GOOGLE_CLOUD_PROJECT=$project
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$firestore_port
export BIGQUERY_EMULATOR_HOST=http://127.0.0.1:$bigquery_port
ENV
}

case "${1:-}" in
  start) start ;;
  stop) stop_one firestore; stop_one bigquery ;;
  env) print_env ;;
  status)
    if firestore_up; then say "Firestore emulator: up on 127.0.0.1:$firestore_port"; else say "Firestore emulator: down"; fi
    if bigquery_up; then say "BigQuery emulator: up on 127.0.0.1:$bigquery_port"; else say "BigQuery emulator: down"; fi
    ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
