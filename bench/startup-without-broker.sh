#!/usr/bin/env bash
# Start-up time of the packaged jar with no Kafka broker: Intake must come up in bypass mode
# (health DEGRADED) instead of failing. Runs it 3 times against a closed port and reports
# Spring Boot's own "Started IntakeApplication in N seconds" and the time until /actuator/health
# says DEGRADED (serving, Kafka bypassed). Needs PostgreSQL on 127.0.0.1:5432 (database test, user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
JAR=$(ls target/intake-*.jar | grep -v original | head -1)
SCHEMA=intake_startup_bench_$$
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; psql -h 127.0.0.1 -U postgres -d test -qc "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
overall_status() {
  curl -s "http://127.0.0.1:18091/actuator/health" 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || true
}
for run in 1 2 3; do
  start=$(date +%s%N)
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 INTAKE_HTTP_ADDRESS=127.0.0.1 INTAKE_HTTP_PORT=18090 INTAKE_MANAGEMENT_PORT=18091 \
  SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:5432/test?currentSchema=$SCHEMA" SPRING_DATASOURCE_USERNAME=postgres \
    java -jar "$JAR" --spring.flyway.schemas="$SCHEMA" > "$WORK/run$run.log" 2>&1 &
  PID=$!
  # ready: the overall status is DEGRADED (everything up, Kafka bypassed)
  deadline=$((SECONDS + 90))
  until [ "$(overall_status)" = DEGRADED ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "run $run: not serving after 90 s" >&2; tail -5 "$WORK/run$run.log" >&2; exit 1; }
    sleep 0.05
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  spring=$(grep -o "Started IntakeApplication in [0-9.]* seconds" "$WORK/run$run.log" || true)
  echo "run $run: $spring; health DEGRADED (serving, Kafka bypassed) after ${ready} ms"
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
