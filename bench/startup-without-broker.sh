#!/usr/bin/env bash
# Start-up time with no Kafka broker, against the same start-up with a broker, in one run. Intake
# must come up in bypass mode instead of failing, and not slower than with a broker. "Ready" is
# the first 202 to POST /forms/support, from the launch: serving, not just a started context.
# Three launches of the same build are measured (docs/runbook.md#start-up-time):
#   jar    java -jar target/intake-*.jar: the fat jar, on the default JDK (17); the baseline
#   bin17  bin/intake on the default JDK (17): the extracted jar, Spring AOT, an AppCDS archive
#   bin25  bin/intake on JDK 24+ (the Dockerfile's launch): the extracted jar, Spring AOT, the
#          JVM's AOT cache; skipped when no such JDK is found
# bin/intake's first start of a build trains its archive; that start is not measured. Every
# launch is started RUNS times (default 5) with the broker down (a closed port) and up, in
# interleaved rounds so a slow spell of the machine hits all alike. Prints every start, the
# median and the slowest of each, and the ratios against the fat jar with a broker. The database
# is migrated by the training start, so the measured starts are restarts, as in a deployment;
# each serves one request, so each leaves one ticket behind.
#
#   bench/startup-without-broker.sh [runs=5]
#   AOT_JAVA_HOME=/path/to/jdk-25 bench/startup-without-broker.sh   # the JDK for bin25
#
# Needs PostgreSQL on 127.0.0.1:5432 (database test, user postgres; a schema of its own, dropped
# at exit). Everything listens on 127.0.0.1 and is stopped by pid at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-5}
KAFKA_PORT=${BENCH_KAFKA_PORT:-19092}
HTTP_PORT=${BENCH_HTTP_PORT:-18090}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18091}
DB_URL=${INTAKE_TEST_DB_URL:-jdbc:postgresql://127.0.0.1:5432/test}
SCHEMA=intake_startup_bench_$$
source bench/lib.sh

JAVA17=$(command -v java)
AOT_JAVA=
for home in ${AOT_JAVA_HOME:-} /usr/lib/jvm/temurin-2[4-9]-* /usr/lib/jvm/java-2[4-9]-*; do
  if [ -x "$home/bin/java" ]; then AOT_JAVA=$home/bin/java; break; fi
done

build
CLOSED_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

launch() { # label brokers command...: starts Intake, waits for its first 202, prints the times, stops it
  local label=$1 brokers=$2; shift 2
  local start pid ready spring
  start=$(date +%s%N)
  KAFKA_BOOTSTRAP_SERVERS=$brokers INTAKE_HTTP_ADDRESS=127.0.0.1 INTAKE_HTTP_PORT=$HTTP_PORT INTAKE_MANAGEMENT_PORT=$MGMT_PORT \
  INTAKE_TICKETS_STATUS_SECRETS_0=bench-only-ticket-status-secret-0123456789 \
  SPRING_DATASOURCE_URL="$DB_URL?currentSchema=$SCHEMA" SPRING_DATASOURCE_USERNAME="$DB_USER" \
    "$@" --spring.flyway.schemas="$SCHEMA" > "$WORK/$label.log" 2>&1 &
  pid=$!
  PIDS+=("$pid") # (launch runs in a subshell too: there it stops its JVM itself, on every path)
  local deadline=$((SECONDS + 120))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/forms/support" \
      -H 'Content-Type: application/json' \
      -d '{"name":"Bench","email":"bench@example.com","subject":"Start-up","message":"Are you up?"}' 2>/dev/null)" = 202 ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "$label: not serving after 120 s" >&2; tail -20 "$WORK/$label.log" >&2; kill "$pid"; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "$label: exited" >&2; tail -20 "$WORK/$label.log" >&2; exit 1; }
    sleep 0.02
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  spring=$(grep -o "Started IntakeApplication in [0-9.]* seconds" "$WORK/$label.log" | grep -o "[0-9.]* seconds" || echo "?")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ready $spring"
}

echo "== extracting the jar; bin/intake's training starts (each serves one request, with the broker down)"
java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" > /dev/null
MODES=(jar bin17)
[ -n "$AOT_JAVA" ] && MODES+=(bin25) || echo "(no JDK 24+ found: bin25 is skipped; set AOT_JAVA_HOME)"
command_of() { # mode: sets cmd, the command line of one launch
  case $1 in
    jar) cmd=("$JAVA17" -jar "$JAR") ;;
    bin17) cmd=(env JAVA="$JAVA17" INTAKE_ARCHIVE_DIR="$WORK/archive" bin/intake "$WORK/app") ;;
    bin25) cmd=(env JAVA="$AOT_JAVA" INTAKE_ARCHIVE_DIR="$WORK/archive" bin/intake "$WORK/app") ;;
  esac
}
mkdir "$WORK/archive"
for mode in "${MODES[@]:1}"; do
  command_of "$mode"
  launch "train-$mode" "127.0.0.1:$CLOSED_PORT" "${cmd[@]}" > /dev/null
done
ls "$WORK/archive"/intake-* > /dev/null || { echo "bin/intake wrote no archive" >&2; exit 1; }

start_broker

# Interleaved (every launch once per round), so a slow spell of the machine hits all of them alike.
for run in $(seq 1 "$RUNS"); do
  for mode in "${MODES[@]}"; do
    command_of "$mode"
    for broker in up down; do
      if [ "$broker" = up ]; then brokers=127.0.0.1:$KAFKA_PORT; else brokers=127.0.0.1:$CLOSED_PORT; fi
      read -r ready spring < <(launch "$mode-$broker-$run" "$brokers" "${cmd[@]}")
      echo "round $run: $mode, broker $broker: first 202 after $ready ms (Spring: started in $spring)"
      echo "$ready" >> "$WORK/times-$mode-$broker"
    done
  done
done

stats() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }'; } # median, slowest
declare -A MEDIAN SLOWEST
for mode in "${MODES[@]}"; do
  for broker in up down; do
    read -r "MEDIAN[$mode-$broker]" "SLOWEST[$mode-$broker]" < <(stats < "$WORK/times-$mode-$broker")
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
base=${MEDIAN[jar-up]}
echo
echo "JDKs: jar and bin17 $("$JAVA17" -version 2>&1 | head -1)${AOT_JAVA:+; bin25 $("$AOT_JAVA" -version 2>&1 | head -1)}"
echo "| launch | broker up: median (slowest), ms | broker down: median (slowest), ms | down / up | down / jar with broker |"
echo "|---|---|---|---|---|"
for mode in "${MODES[@]}"; do
  up=${MEDIAN[$mode-up]} down=${MEDIAN[$mode-down]}
  echo "| $mode | $up (${SLOWEST[$mode-up]}) | $down (${SLOWEST[$mode-down]}) | $(ratio "$down" "$up") | $(ratio "$down" "$base") |"
done
echo "($RUNS runs each; first 202 to POST /forms/support, from the launch of the JVM; $(nproc) cores)"
