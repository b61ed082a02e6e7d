#!/usr/bin/env bash
# HTTP intake benchmark: Intake against the Spring Boot app a user would write instead, in one run.
# Starts a real Kafka broker (KRaft) as its own process, the peer of ../shared/bench-peers
# (spring-kafka: MVC + KafkaTemplate, POST /api/webform-audit, Intake's contract: the raw body on an
# audit topic and the ticket, 202 after both acknowledgements) and the packaged jar, all on that broker,
# and drives each with the same wrk script (bench/post-form.lua: 1 KiB JSON, 1,000 customers in turn).
#
#   1. edge: Intake with INTAKE_ROLES=edge, POST /forms/support; then POST /webhooks/bench, signed
#      Standard Webhooks events (bench/post-webhook.lua), each with its edge dedup claim
#   2. as deployed: Intake with both roles, the consumer processing what the form publishes in the
#      same JVM; its group starts at the end of the topic, and its lag is read at the end
#
# Every server gets its first 10 s after start measured (the warm-up figure), then the same warm-up
# (WARMUP, for the JIT) in turns, then ROUNDS measured turns of DURATION each, the peer and Intake
# alternating, so that a machine that slows down for a while slows both. req/s is over all turns;
# p50 and p99 are the medians of the turns. RSS is the resident memory at the end of the turns.
# Every 2xx of Intake must be on fte.tickets.incoming (counted by the broker), or the run fails.
#
#   bench/http-intake.sh [warm-up=60] [duration=20] [rounds=3] [connections=64]   (seconds)
#
# Needs wrk (apt-get install wrk), Maven for the peer, and PostgreSQL on 127.0.0.1:5432 (database test,
# user postgres; a schema of its own, dropped at exit). Everything listens on 127.0.0.1 and is stopped
# by pid at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

WARMUP=${1:-60}
DURATION=${2:-20}
ROUNDS=${3:-3}
CONNECTIONS=${4:-64}
THREADS=2
KAFKA_PORT=${BENCH_KAFKA_PORT:-19092}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18081}
PEER_PORT=${BENCH_PEER_PORT:-18092}
PEERS=${BENCH_PEERS:-../shared/bench-peers}
DB_URL=${INTAKE_TEST_DB_URL:-jdbc:postgresql://127.0.0.1:5432/test}
SCHEMA=intake_http_bench_$$
source bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
[ -x "$PEERS/serve.sh" ] || { echo "no benchmark peers at $PEERS (BENCH_PEERS)" >&2; exit 2; }

# the webhook source's secret, made for the run; the wrk script signs with its key bytes
WEBHOOK_KEY=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export BENCH_WEBHOOK_KEY_HEX=$WEBHOOK_KEY
WEBHOOK_SECRET="whsec_$(echo "$WEBHOOK_KEY" | xxd -r -p | base64)"

build
start_broker
# launched as the image launches it (bin/intake on the extracted jar), with its default heap (256 MiB)
java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" > /dev/null

PEER_URL=http://127.0.0.1:$PEER_PORT/api/webform-audit
FORM_URL=http://127.0.0.1:$HTTP_PORT/forms/support
WEBHOOK_URL=http://127.0.0.1:$HTTP_PORT/webhooks/bench

wrk_run() { # label url script seconds: one wrk run, kept in $WORK/label.wrk
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4s" --latency -s "bench/$3" "$2" > "$WORK/$1.wrk"
}
wrk_figures() { # label -> "requests seconds p50_ms p99_ms non2xx"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /requests in/ { n = $1; t = $(NF - 2); sub(/s,$/, "", t) }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%d %s %.2f %.2f %d\n", n, t, p50, p99, bad + 0 }' "$WORK/$1.wrk"
}
rss_mib() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
peak_mib() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A LABELS ROUND_FILES
measure() { # key url script: one measured turn of DURATION, added to the key's turns
  local n=${ROUND_FILES[$1]:-0}
  wrk_run "$1-$n" "$2" "$3" "$DURATION"
  ROUND_FILES[$1]=$((n + 1))
}
summary() { # key -> "req/s p50 p99 non2xx requests"
  local n=${ROUND_FILES[$1]} requests=0 seconds=0 bad=0 p50s="" p99s=""
  for i in $(seq 0 $((n - 1))); do
    read -r r s a b x <<< "$(wrk_figures "$1-$i")"
    requests=$((requests + r)); bad=$((bad + x)); seconds=$(awk -v s="$seconds" -v t="$s" 'BEGIN { print s + t }')
    p50s+="$a"$'\n'; p99s+="$b"$'\n'
  done
  echo "$(awk -v r="$requests" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }') $(printf %s "$p50s" | median) $(printf %s "$p99s" | median) $bad $requests"
}
first_10s() { # label url script -> req/s in the first 10 s after the server started
  wrk_run "$1-first" "$2" "$3" 10
  read -r r s _ <<< "$(wrk_figures "$1-first")"
  awk -v r="$r" -v s="$s" 'BEGIN { printf "%.0f", r / s }'
}
warm_up() { # url script [url script]: WARMUP seconds for each, in turns of 15 s
  local left=$WARMUP turn
  while [ "$left" -gt 0 ]; do
    turn=$((left < 15 ? left : 15))
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${turn}s" -s "bench/$2" "$1" > /dev/null
    [ $# -lt 4 ] || wrk -t"$THREADS" -c"$CONNECTIONS" -d"${turn}s" -s "bench/$4" "$3" > /dev/null
    left=$((left - turn))
  done
}
metric() { # name [tag fragment]: the sum of its series
  curl -s -u "$MGMT_USER:$MGMT_PASSWORD" "http://127.0.0.1:$MGMT_PORT/actuator/prometheus" \
    | awk -v m="$1" -v t="${2:-}" '(index($0, m "{") == 1 || index($0, m " ") == 1) && index($0, t) { s += $NF } END { print s + 0 }'
}
tickets_on_topic() { java -cp "$TOOLS_CP" intake.testing.TopicOffsets "127.0.0.1:$KAFKA_PORT" fte.tickets.incoming 2>/dev/null | grep -E '^[0-9]+$' | tail -1; }

start_intake() { # roles log
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT INTAKE_HTTP_ADDRESS=127.0.0.1 INTAKE_HTTP_PORT=$HTTP_PORT \
  INTAKE_MANAGEMENT_PORT=$MGMT_PORT INTAKE_TICKETS_STATUS_SECRETS_0=bench-only-ticket-status-secret-0123456789 \
  INTAKE_ROLES=$1 INTAKE_CHANNELS_WEBHOOKS_SOURCES_BENCH_SECRETS_0="$WEBHOOK_SECRET" \
  SPRING_DATASOURCE_URL="$DB_URL?currentSchema=$SCHEMA" SPRING_DATASOURCE_USERNAME="$DB_USER" \
    bin/intake "$WORK/app" --spring.flyway.schemas="$SCHEMA" --logging.level.org.apache.kafka=WARN > "$WORK/$2" 2>&1 &
  INTAKE_PID=$!
  PIDS+=("$INTAKE_PID")
  wait_for "$WORK/$2" "Started IntakeApplication" 120
  if grep -q "Starting in Kafka bypass mode" "$WORK/$2"; then
    echo "FAILED: Intake started in bypass mode; the figures would not be Kafka's" >&2; exit 1
  fi
}
stop_intake() {
  kill "$INTAKE_PID"; wait "$INTAKE_PID" 2>/dev/null || true
}

echo "== starting the peer ($PEERS/serve.sh spring-kafka) on 127.0.0.1:$PEER_PORT"
"$PEERS/serve.sh" spring-kafka "127.0.0.1:$KAFKA_PORT" "$PEER_PORT" > "$WORK/peer.log" 2>&1 &
PEER_PID=$!
PIDS+=("$PEER_PID")
# the peer logs warnings only: it is up once its port answers (the first start builds it with Maven)
for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$PEER_PORT") 2>/dev/null && break; sleep 1; done
(exec 3<>"/dev/tcp/127.0.0.1/$PEER_PORT") 2>/dev/null || { echo "the peer did not start" >&2; tail -20 "$WORK/peer.log" >&2; exit 1; }
peer_first=$(first_10s peer "$PEER_URL" post-form.lua)

echo "== 1. Intake as the edge only (INTAKE_ROLES=edge) on 127.0.0.1:$HTTP_PORT"
start_intake edge intake-edge.log
edge_first=$(first_10s edge "$FORM_URL" post-form.lua)
echo "== warming up the peer and Intake, ${WARMUP} s each in turns"
warm_up "$PEER_URL" post-form.lua "$FORM_URL" post-form.lua
for _ in $(seq 1 "$ROUNDS"); do
  echo "== measured turn: peer, then Intake (${DURATION} s each)"
  measure peer "$PEER_URL" post-form.lua
  measure edge "$FORM_URL" post-form.lua
done
peer_rss=$(rss_mib "$PEER_PID") # serve.sh execs java: its pid is the JVM's
edge_rss=$(rss_mib "$INTAKE_PID"); edge_peak=$(peak_mib "$INTAKE_PID")
echo "== the webhook channel: ${WARMUP} s warm-up, then ${ROUNDS} turns"
warm_up "$WEBHOOK_URL" post-webhook.lua
for _ in $(seq 1 "$ROUNDS"); do measure webhook "$WEBHOOK_URL" post-webhook.lua; done
# a send the producer gave up on went to the outbox: wait for the relay before counting the topic
for _ in $(seq 1 60); do [ "$(metric intake_outbox_depth)" = 0 ] && break; sleep 0.5; done
edge_accepted=$(metric intake_requests_accepted_total)
edge_bypassed=$(metric intake_outbox_relayed_total)
stop_intake

echo "== 2. Intake as deployed (edge and processor) on 127.0.0.1:$HTTP_PORT"
java -cp "$TOOLS_CP" intake.testing.GroupLag "127.0.0.1:$KAFKA_PORT" intake-agent fte.tickets.incoming --to-end > /dev/null 2>&1
start_intake edge,processor intake-deployed.log
deployed_first=$(first_10s deployed "$FORM_URL" post-form.lua)
echo "== warming up Intake as deployed and the peer, ${WARMUP} s each in turns"
warm_up "$FORM_URL" post-form.lua "$PEER_URL" post-form.lua
for _ in $(seq 1 "$ROUNDS"); do
  echo "== measured turn: peer, then Intake as deployed (${DURATION} s each)"
  measure peer2 "$PEER_URL" post-form.lua
  measure deployed "$FORM_URL" post-form.lua
done
lag=$(java -cp "$TOOLS_CP" intake.testing.GroupLag "127.0.0.1:$KAFKA_PORT" intake-agent fte.tickets.incoming 2>/dev/null | grep -E '^[0-9]+$' | tail -1)
deployed_rss=$(rss_mib "$INTAKE_PID"); deployed_peak=$(peak_mib "$INTAKE_PID")
for _ in $(seq 1 60); do [ "$(metric intake_outbox_depth)" = 0 ] && break; sleep 0.5; done
deployed_accepted=$(metric intake_requests_accepted_total)
processed=$(metric kafka_messages_processed_total)
on_topic=$(tickets_on_topic)

read -r p_rps p_p50 p_p99 p_bad _ <<< "$(summary peer)"
read -r e_rps e_p50 e_p99 e_bad _ <<< "$(summary edge)"
read -r w_rps w_p50 w_p99 w_bad _ <<< "$(summary webhook)"
read -r q_rps q_p50 q_p99 q_bad _ <<< "$(summary peer2)"
read -r d_rps d_p50 d_p99 d_bad _ <<< "$(summary deployed)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "warm-up ${WARMUP} s each, ${ROUNDS} measured turns of ${DURATION} s, ${CONNECTIONS} connections, wrk on the same machine"
printf '%-44s %8s %9s %9s %8s %8s %8s %10s\n' "server" "req/s" "p50 ms" "p99 ms" "non-2xx" "x peer" "p99 x" "RSS MiB"
printf '%-44s %8s %9s %9s %8s %8s %8s %10s\n' "peer: Spring MVC + KafkaTemplate, webform-audit" "$p_rps" "$p_p50" "$p_p99" "$p_bad" "1.00" "1.00" "$peer_rss"
printf '%-44s %8s %9s %9s %8s %8s %8s %10s\n' "Intake edge: POST /forms/support" "$e_rps" "$e_p50" "$e_p99" "$e_bad" \
  "$(ratio "$e_rps" "$p_rps")" "$(ratio "$e_p99" "$p_p99")" "$edge_rss (peak $edge_peak)"
printf '%-44s %8s %9s %9s %8s %8s %8s %10s\n' "Intake edge: POST /webhooks/bench (signed)" "$w_rps" "$w_p50" "$w_p99" "$w_bad" \
  "$(ratio "$w_rps" "$p_rps")" "$(ratio "$w_p99" "$p_p99")" ""
printf '%-44s %8s %9s %9s %8s %8s %8s %10s\n' "peer again, beside Intake as deployed" "$q_rps" "$q_p50" "$q_p99" "$q_bad" "1.00" "1.00" ""
printf '%-44s %8s %9s %9s %8s %8s %8s %10s\n' "Intake as deployed: POST /forms/support" "$d_rps" "$d_p50" "$d_p99" "$d_bad" \
  "$(ratio "$d_rps" "$q_rps")" "$(ratio "$d_p99" "$q_p99")" "$deployed_rss (peak $deployed_peak)"
echo "first 10 s after start (req/s): peer $peer_first, Intake edge $edge_first ($(ratio "$edge_first" "$e_rps") of its steady state), as deployed $deployed_first"
echo "consumer lag at the end: $lag tickets = $(awk -v l="$lag" -v r="$d_rps" 'BEGIN { printf "%.1f", l / r }') s of arrivals; tickets processed: $processed"
echo "accepted: $edge_accepted (edge) + $deployed_accepted (as deployed); relayed from the outbox: $edge_bypassed; tickets on fte.tickets.incoming: $on_topic"
if [ "$on_topic" -lt "$((${edge_accepted%.*} + ${deployed_accepted%.*}))" ]; then
  echo "FAILED: fewer tickets on the topic than accepted requests" >&2
  exit 1
fi
