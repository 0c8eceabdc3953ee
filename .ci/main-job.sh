#!/usr/bin/env bash
# Runs the README's first command (the main job) in the background, waits until the gateway
# reports the bundled digest's 68 papers, then stops it the way Ctrl-C does and checks that
# everything it started is gone. Run twice: the second run reuses the data directory.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATA_DIR="${DATA_DIR:-$(mktemp -d)}"
export GATEWAY_PORT="${GATEWAY_PORT:-3917}"
# A prefix of its own, so jobs left in a shared Redis by other runs cannot interfere.
export QUEUE_PREFIX="${QUEUE_PREFIX:-ci$$}"
main_cmd=$(awk '/^```/{ if (inb) exit; inb=1; next } inb && $0 !~ /^[[:space:]]*(#|$)/ { print; exit }' README.md)
[ -n "$main_cmd" ] || { echo "main-job: no command in README's first code block" >&2; exit 1; }

run_once() {
  local attempt=$1 log="$DATA_DIR/main-job-$1.log"
  echo "main-job[$attempt]: $main_cmd (DATA_DIR=$DATA_DIR)"
  setsid bash -c "$main_cmd" >"$log" 2>&1 &
  local pid=$! deadline=$((SECONDS + 600)) papers=""
  while [ $SECONDS -lt $deadline ]; do
    papers=$(curl -sf "http://127.0.0.1:$GATEWAY_PORT/v1/stats" | sed -n 's/.*"papers":\([0-9]*\).*/\1/p' || true)
    [ "$papers" = "68" ] && grep -q "search is up" "$log" && break
    kill -0 "$pid" 2>/dev/null || { echo "main-job[$attempt]: exited early"; cat "$log"; exit 1; }
    sleep 2
  done
  if [ "$papers" != "68" ]; then
    echo "main-job[$attempt]: /v1/stats reports '${papers}' papers, expected 68"; cat "$log"
    tail -n 40 "$DATA_DIR"/logs/*.log || true
    kill -TERM -- -"$pid" 2>/dev/null || true
    exit 1
  fi
  echo "main-job[$attempt]: 68 papers served; stopping with SIGINT (Ctrl-C)"
  kill -INT -- -"$pid"
  local stop_deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $stop_deadline ] || { echo "main-job[$attempt]: did not stop within 60 s"; cat "$log"; exit 1; }
    sleep 1
  done
  if curl -sf "http://127.0.0.1:$GATEWAY_PORT/healthz" >/dev/null 2>&1; then
    echo "main-job[$attempt]: gateway still answers after Ctrl-C"; exit 1
  fi
  grep -q "^stopped" "$log" || { echo "main-job[$attempt]: no clean stop"; cat "$log"; exit 1; }
  echo "main-job[$attempt]: stopped cleanly"
}

run_once 1
run_once 2
