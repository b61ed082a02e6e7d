#!/usr/bin/env bash
# Consumer benchmark. Preloads N tickets (default 100,000) on fte.tickets.incoming of a Kafka
# broker started as its own process, starts the packaged jar against it and PostgreSQL (a schema
# of its own), and measures processed tickets per second through the consumer: decode, the
# idempotent consumer's atomic insert into processed_messages, the triage agent (which reads and
# writes the tickets table) and its two output records, then the offset commit. In the same run,
# pgbench runs the idempotent consumer's insert statement alone on the same database as the
# ceiling. Reports both rates and their ratio.
#
#   bench/consumer-dedup.sh [tickets=100000]
#
# Needs PostgreSQL on 127.0.0.1:5432 (database test, user postgres; INTAKE_TEST_DB_* override) and pgbench.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${1:-100000}
KAFKA_PORT=${BENCH_KAFKA_PORT:-19092}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18081}
DB_URL=${INTAKE_TEST_DB_URL:-jdbc:postgresql://127.0.0.1:5432/test}
SCHEMA=intake_bench_$$
source bench/lib.sh
command -v pgbench >/dev/null || { echo "pgbench is missing (Debian package postgresql-client)" >&2; exit 2; }

build
start_broker

echo "== preloading $COUNT tickets"
java -cp "$TOOLS_CP" intake.testing.TicketPreload "127.0.0.1:$KAFKA_PORT" "$COUNT" > "$WORK/preload.log" 2>&1 \
  || { tail -30 "$WORK/preload.log" >&2; exit 1; }
grep "^Preloaded" "$WORK/preload.log"

echo "== ceiling: pgbench, the idempotent insert alone, 4 clients (as 4 consumer threads), 20 s"
psql_ -c "create schema $SCHEMA; create table $SCHEMA.processed_messages (processor_name varchar(100) not null,
  message_id varchar(200) not null, created_at timestamp with time zone not null, primary key (processor_name, message_id));
  create index on $SCHEMA.processed_messages (created_at);"
cat > "$WORK/insert.sql" <<SQL
\set id random(1, 2000000000)
insert into $SCHEMA.processed_messages (processor_name, message_id, created_at) values ('bench', 'id-' || :id, now()) on conflict do nothing;
SQL
pgbench -h 127.0.0.1 -U "$DB_USER" -n -c 4 -j 2 -T 20 -f "$WORK/insert.sql" test > "$WORK/pgbench.txt" 2>&1
ceiling=$(awk '/^tps = / {print $3}' "$WORK/pgbench.txt")
psql_ -c "drop table $SCHEMA.processed_messages"

echo "== starting Intake ($JAR): consumer group intake-agent, 4 threads, dedup on PostgreSQL schema $SCHEMA"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT INTAKE_HTTP_ADDRESS=127.0.0.1 INTAKE_HTTP_PORT=$HTTP_PORT \
INTAKE_MANAGEMENT_PORT=$MGMT_PORT INTAKE_TICKETS_STATUS_SECRETS_0=bench-only-ticket-status-secret-0123456789 \
SPRING_DATASOURCE_URL="$DB_URL?currentSchema=$SCHEMA" SPRING_DATASOURCE_USERNAME="$DB_USER" \
  java -Xmx1g -jar "$JAR" --spring.flyway.schemas="$SCHEMA" --logging.level.org.apache.kafka=WARN \
  --logging.level.org.apache.camel=WARN > "$WORK/intake.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/intake.log" "Started IntakeApplication" 120

processed() {
  curl -s -u "$MGMT_USER:$MGMT_PASSWORD" "http://127.0.0.1:$MGMT_PORT/actuator/prometheus" \
    | awk '/^kafka_messages_processed_total\{/ {sum += $NF} END {printf "%d", sum}'
}
echo "== waiting for $COUNT processed tickets"
start=""; last=0
deadline=$((SECONDS + 1800))
while [ "$SECONDS" -lt "$deadline" ]; do
  n=$(processed)
  if [ -z "$start" ] && [ "$n" -gt 0 ]; then start=$(date +%s.%N); first=$n; fi
  if [ "$n" -ge "$COUNT" ]; then end=$(date +%s.%N); break; fi
  if [ "$n" != "$last" ]; then printf '\r   %d / %d' "$n" "$COUNT"; last=$n; fi
  sleep 0.5
done
echo
[ -n "${end:-}" ] || { echo "FAILED: only $(processed) of $COUNT processed in time" >&2; exit 1; }
rows=$(psql_ -c "select count(*) from $SCHEMA.processed_messages")
rate=$(awk -v n="$COUNT" -v f="$first" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", (n - f) / (e - s) }')

echo
printf '%-58s %10s\n' "what" "per second"
printf '%-58s %10s\n' "pgbench: INSERT ... ON CONFLICT DO NOTHING alone (ceiling)" "$ceiling"
printf '%-58s %10s\n' "Intake consumer: tickets processed with JDBC dedup" "$rate"
awk -v r="$rate" -v c="$ceiling" 'BEGIN { printf "consumer / ceiling ratio: %.2f\n", r / c }'
echo "processed_messages rows: $rows (expected $COUNT)"
[ "$rows" -eq "$COUNT" ] || { echo "FAILED: dedup table does not hold one key per ticket" >&2; exit 1; }
