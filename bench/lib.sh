# Shared by the bench scripts (sourced, not run): a work directory, processes and a database
# schema that are cleaned up at exit, the build, and a Kafka broker started as its own process.
# Expects KAFKA_PORT and SCHEMA to be set; sets WORK, PIDS, TOOLS_CP, JAR and MGMT_USER/MGMT_PASSWORD.
# BENCH_KEEP=1 keeps the work directory (the servers' logs, wrk's outputs) instead of deleting it.

DB_USER=${INTAKE_TEST_DB_USER:-postgres}
# Intake does not start without a management user: the scripts scrape /actuator/prometheus as
# this one (curl -u "$MGMT_USER:$MGMT_PASSWORD"), with a password made for the run
MGMT_USER=bench
MGMT_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export INTAKE_MANAGEMENT_USERS_BENCH_PASSWORD="{noop}$MGMT_PASSWORD" INTAKE_MANAGEMENT_USERS_BENCH_ROLES=monitoring
WORK=$(mktemp -d -t intake-bench-XXXX)
PIDS=()
psql_() { psql -h 127.0.0.1 -U "$DB_USER" -d test -qtA "$@"; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql_ -c "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1 || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $WORK (logs, wrk outputs)" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

wait_for() { # file pattern seconds
  for _ in $(seq 1 "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 1; done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

build() { # the packaged jar, and the test classpath for the broker and the tools in test sources
  echo "== building the jar and the test classpath (broker and tools)"
  ./mvnw -q -B -DskipTests package
  ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt"
  TOOLS_CP="target/test-classes:target/classes:$(cat "$WORK/cp.txt")"
  JAR=$(ls target/intake-*.jar | grep -v original | head -1)
}

start_broker() { # a real KRaft broker from the Apache Kafka jars, in a JVM of its own
  echo "== starting the Kafka broker on 127.0.0.1:$KAFKA_PORT"
  java -Xmx1g -cp "$TOOLS_CP" intake.testing.EmbeddedKafkaBroker "$KAFKA_PORT" "$WORK/kafka" > "$WORK/kafka.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/kafka.log" "Kafka broker ready" 90
}
