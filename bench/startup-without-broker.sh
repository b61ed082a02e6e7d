#!/usr/bin/env bash
# Start-up time with no Kafka broker, against the same start-up with a broker as the baseline, in
# one run. Intake must come up in bypass mode instead of failing, and not much slower than with a
# broker. "Ready" is the first 202 to POST /forms/support: serving, not just a started context.
# Two ways of launching the same build are measured:
#   jar  java -jar target/intake-*.jar (the fat jar)
#   cds  the jar extracted (java -Djarmode=tools ... extract) with an AppCDS archive from a
#        training run (Spring Boot's class data sharing; docs/runbook.md#start-up-time)
# Each is started RUNS times (default 3) with the broker down (a closed port) and up; prints
# every run, the median of each, and the ratio down / up.
#
#   bench/startup-without-broker.sh [runs=3]
#
# Needs PostgreSQL on 127.0.0.1:5432 (database test, user postgres; a schema of its own, dropped
# at exit). Everything listens on 127.0.0.1 and is stopped by pid at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-3}
KAFKA_PORT=${BENCH_KAFKA_PORT:-19092}
HTTP_PORT=${BENCH_HTTP_PORT:-18090}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18091}
DB_URL=${INTAKE_TEST_DB_URL:-jdbc:postgresql://127.0.0.1:5432/test}
SCHEMA=intake_startup_bench_$$
source bench/lib.sh

build
CLOSED_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

echo "== extracting the jar and training the CDS archive"
java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" > /dev/null
APP_JAR="$WORK/app/$(basename "$JAR")"

launch() { # label brokers java-args...: starts Intake, waits for its first 202, prints the times, stops it
  local label=$1 brokers=$2; shift 2
  local start pid ready spring
  start=$(date +%s%N)
  KAFKA_BOOTSTRAP_SERVERS=$brokers INTAKE_HTTP_ADDRESS=127.0.0.1 INTAKE_HTTP_PORT=$HTTP_PORT INTAKE_MANAGEMENT_PORT=$MGMT_PORT \
  SPRING_DATASOURCE_URL="$DB_URL?currentSchema=$SCHEMA" SPRING_DATASOURCE_USERNAME="$DB_USER" \
    java "$@" --spring.flyway.schemas="$SCHEMA" > "$WORK/$label.log" 2>&1 &
  pid=$!
  PIDS+=("$pid") # (launch runs in a subshell too: there it stops its JVM itself, on every path)
  local deadline=$((SECONDS + 120))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/forms/support" \
      -H 'Content-Type: application/json' \
      -d '{"name":"Bench","email":"bench@example.com","subject":"Start-up","message":"Are you up?"}' 2>/dev/null)" = 202 ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "$label: not serving after 120 s" >&2; tail -20 "$WORK/$label.log" >&2; kill "$pid"; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "$label: exited" >&2; tail -20 "$WORK/$label.log" >&2; exit 1; }
    sleep 0.05
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  spring=$(grep -o "Started IntakeApplication in [0-9.]* seconds" "$WORK/$label.log" | grep -o "[0-9.]* seconds" || echo "?")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ready $spring"
}

# The training run: start with the broker down, serve one request, stop; the archive is written at exit.
launch train "127.0.0.1:$CLOSED_PORT" -XX:ArchiveClassesAtExit="$WORK/app/intake.jsa" -jar "$APP_JAR" > /dev/null
[ -s "$WORK/app/intake.jsa" ] || { echo "no CDS archive written" >&2; exit 1; }

start_broker

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A MEDIAN
for mode in jar cds; do
  if [ "$mode" = jar ]; then args=(-jar "$JAR"); else args=(-XX:SharedArchiveFile="$WORK/app/intake.jsa" -jar "$APP_JAR"); fi
  for broker in up down; do
    if [ "$broker" = up ]; then brokers=127.0.0.1:$KAFKA_PORT; else brokers=127.0.0.1:$CLOSED_PORT; fi
    : > "$WORK/times"
    for run in $(seq 1 "$RUNS"); do
      read -r ready spring < <(launch "$mode-$broker-$run" "$brokers" "${args[@]}")
      echo "$mode, broker $broker, run $run: first 202 after $ready ms (Spring: started in $spring)"
      echo "$ready" >> "$WORK/times"
    done
    MEDIAN[$mode-$broker]=$(median < "$WORK/times")
  done
done

echo
echo "| launch | broker up (baseline), ms | broker down, ms | down / up |"
echo "|---|---|---|---|"
for mode in jar cds; do
  up=${MEDIAN[$mode-up]} down=${MEDIAN[$mode-down]}
  echo "| $mode | $up | $down | $(awk -v d="$down" -v u="$up" 'BEGIN { printf "%.2f", d / u }') |"
done
echo "(medians of $RUNS runs; first 202 to POST /forms/support, from the launch of the JVM)"
