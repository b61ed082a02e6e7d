#!/usr/bin/env bash
# HTTP intake benchmark. Starts a real Kafka broker (KRaft) as its own process and the packaged
# jar against it, then drives POST /forms/support with 1 KiB JSON bodies through wrk, and in the
# same run a bare platform-http route that answers 202 without Kafka (bench/ceiling.camel.yaml)
# as the ceiling. Reports accepted requests per second, p50, p99 and non-2xx for both, and
# checks that every accepted request is on the tickets topic (counted by the broker).
#
#   bench/http-intake.sh [duration=20s] [connections=64] [threads=2]
#
# Needs wrk (apt-get install wrk) and PostgreSQL on 127.0.0.1:5432 (database test, user postgres;
# a schema of its own, dropped at exit). Everything listens on 127.0.0.1 and is stopped by pid at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-20s}
CONNECTIONS=${2:-64}
THREADS=${3:-2}
KAFKA_PORT=${BENCH_KAFKA_PORT:-19092}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18081}
DB_URL=${INTAKE_TEST_DB_URL:-jdbc:postgresql://127.0.0.1:5432/test}
SCHEMA=intake_http_bench_$$
source bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

build
start_broker

echo "== starting Intake ($JAR) on 127.0.0.1:$HTTP_PORT"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT INTAKE_HTTP_ADDRESS=127.0.0.1 INTAKE_HTTP_PORT=$HTTP_PORT \
INTAKE_MANAGEMENT_PORT=$MGMT_PORT INTAKE_TICKETS_STATUS_SECRETS_0=bench-only-ticket-status-secret-0123456789 \
SPRING_DATASOURCE_URL="$DB_URL?currentSchema=$SCHEMA" SPRING_DATASOURCE_USERNAME="$DB_USER" \
  java -Xmx1g -jar "$JAR" --spring.flyway.schemas="$SCHEMA" \
  --camel.main.routes-include-pattern=classpath:routes/*.camel.yaml,file:bench/ceiling.camel.yaml \
  --logging.level.org.apache.kafka=WARN > "$WORK/intake.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/intake.log" "Started IntakeApplication" 90

warm_up() { # path: 5 s of the same load, not reported, so the JIT has compiled the hot path
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/post-form.lua "http://127.0.0.1:$HTTP_PORT$1" > /dev/null
}
run_wrk() { # path label
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/post-form.lua \
    "http://127.0.0.1:$HTTP_PORT$1" > "$WORK/$2.wrk"
}
summary() { # label -> "rps p50 p99 non2xx total"
  local f="$WORK/$1.wrk"
  local rps p50 p99 non2xx total
  rps=$(awk '/Requests\/sec/ {print $2}' "$f")
  p50=$(awk '$1=="50%" {print $2}' "$f")
  p99=$(awk '$1=="99%" {print $2}' "$f")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$f"); non2xx=${non2xx:-0}
  total=$(awk '/requests in/ {print $1}' "$f")
  echo "$rps $p50 $p99 $non2xx $total"
}

echo "== ceiling: POST /bench/ceiling (platform-http, 202, no Kafka) for $DURATION at $CONNECTIONS connections"
warm_up /bench/ceiling
run_wrk /bench/ceiling ceiling
read -r c_rps c_p50 c_p99 c_non2xx c_total <<< "$(summary ceiling)"

warm_up /forms/support
before=$(java -cp "$TOOLS_CP" intake.testing.TopicOffsets "127.0.0.1:$KAFKA_PORT" fte.tickets.incoming 2>/dev/null | tail -1)
echo "== intake: POST /forms/support (1 KiB JSON, acks=all) for $DURATION at $CONNECTIONS connections"
run_wrk /forms/support intake
metric() { # name [tag fragment]: the sum of its series
  curl -s -u "$MGMT_USER:$MGMT_PASSWORD" "http://127.0.0.1:$MGMT_PORT/actuator/prometheus" \
    | awk -v m="$1" -v t="${2:-}" '(index($0, m "{") == 1 || index($0, m " ") == 1) && index($0, t) { s += $NF } END { print s + 0 }'
}
# a send the producer gave up on went to the outbox: wait for the relay before counting the topic
for _ in $(seq 1 60); do [ "$(metric intake_outbox_depth)" = 0 ] && break; sleep 0.5; done
after=$(java -cp "$TOOLS_CP" intake.testing.TopicOffsets "127.0.0.1:$KAFKA_PORT" fte.tickets.incoming 2>/dev/null | tail -1)
read -r i_rps i_p50 i_p99 i_non2xx i_total <<< "$(summary intake)"

accepted=$(metric intake_requests_accepted_total 'channel="webform"')

echo
printf '%-34s %12s %10s %10s %8s\n' "route" "req/s" "p50" "p99" "non-2xx"
printf '%-34s %12s %10s %10s %8s\n' "/bench/ceiling (no Kafka)" "$c_rps" "$c_p50" "$c_p99" "$c_non2xx"
printf '%-34s %12s %10s %10s %8s\n' "/forms/support (Kafka, acks=all)" "$i_rps" "$i_p50" "$i_p99" "$i_non2xx"
awk -v i="$i_rps" -v c="$c_rps" 'BEGIN { printf "intake / ceiling throughput ratio: %.2f\n", i / c }'
echo "tickets on fte.tickets.incoming during the measured run: $((after - before)); 2xx answers: $((i_total - i_non2xx))"
echo "accepted counter (warm-up + measured): ${accepted:-n/a}; tickets on the topic: $after"
echo "through the outbox instead (the producer gave up; bypass mode): $(metric intake_bypass_processed_total) tickets processed directly, $(metric intake_outbox_relayed_total) records relayed"
# wrk drops the requests still in flight when it stops, so the topic may hold a few more than it counted
if [ "$((after - before))" -lt "$((i_total - i_non2xx))" ]; then
  echo "FAILED: fewer tickets on the topic than 2xx answers" >&2
  exit 1
fi
