#!/usr/bin/env bash
# bench/pg.sh BUILD_DIR: PostgresSinkConnector throughput against a plain `psql \copy` of the
# same rows, into a private PostgreSQL server (tests/system/pgserver.py) fed from kafka-mock.
#
# Prints one line on stdout:  postgres sink: X rec/s = R x psql COPY
# (progress and details on stderr). Environment: PG_BENCH_COUNT or BENCH_COUNT (records,
# default 500000), BENCH_SIZE (JSON document bytes, default 100), BENCH_TIMEOUT (seconds without
# progress before giving up, default 60). Needs BUILD_DIR/bin/{sluice-worker,kafka-mock},
# BUILD_DIR/plugins/postgres.so and BUILD_DIR/bench/raw_kafka (`make bench` builds them).
#
# The sink rate is measured from the first committed batch to the last full one
# (buffer.count.records rows each), read from the connector's offsets table (one row per record
# here): worker start-up and the consumer group join are not counted, as bench/run.sh times
# first record to last, and neither is the partial last batch, which waits for
# buffer.flush.time by design (it is still checked to arrive). The baseline loads the very rows
# the sink wrote, exported to a file, with one `\copy ... FROM` into an identical table without
# indexes (the sink's table has none either: pk.mode=none).
set -euo pipefail
[[ -n ${BENCH_DEBUG:-} ]] && set -x

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${SLUICE_BUILD:-$REPO/build}}" && pwd)
COUNT=${PG_BENCH_COUNT:-${BENCH_COUNT:-500000}}
BATCH=10000 # buffer.count.records
SIZE=${BENCH_SIZE:-100}
TIMEOUT=${BENCH_TIMEOUT:-60}
PYTHON=/usr/bin/python3
PSQL=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)
# ~20 bytes of overhead per record on the mock's log, at most 4 MiB per partition (it drops
# older data beyond ~5 MiB), at least 8 partitions.
PARTITIONS=$(((COUNT * (SIZE + 20) + 4194303) / 4194304))
((PARTITIONS >= 8)) || PARTITIONS=8

for f in "$BUILD/bin/sluice-worker" "$BUILD/bin/kafka-mock" "$BUILD/bench/raw_kafka" \
    "$BUILD/plugins/postgres.so"; do
    [[ -e $f ]] || { echo "pg.sh: $f is missing: run make bench" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pgbench.XXXXXX")
KM_PID= WORKER_PID= PG_DIR=
cleanup() {
    if [[ -n $WORKER_PID ]]; then kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; fi
    if [[ -n $KM_PID ]]; then
        if [[ -n ${MOCK[1]:-} ]]; then eval "exec ${MOCK[1]}>&-"; fi
        kill "$KM_PID" 2>/dev/null || true
        wait "$KM_PID" 2>/dev/null || true
    fi
    [[ -z $PG_DIR ]] || "$PYTHON" "$REPO/tests/system/pgserver.py" stop "$PG_DIR" || true
    rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
sql() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }

# ---- PostgreSQL and kafka-mock ----
eval "$("$PYTHON" "$REPO/tests/system/pgserver.py" start | sed -n 's/^\(DIR\|PORT\)=/PG_&/p')"
[[ -n ${PG_DIR:-} && -n ${PG_PORT:-} ]] || { echo "pg.sh: PostgreSQL did not start" >&2; exit 1; }
coproc MOCK { exec "$BUILD/bin/kafka-mock" --brokers 1 --topic "pgbench:$PARTITIONS" 2>"$WORK/kafka-mock.log"; }
KM_PID=$MOCK_PID
read -r -t 15 BOOTSTRAP <&"${MOCK[0]}" || { echo "pg.sh: kafka-mock did not start" >&2; cat "$WORK/kafka-mock.log" >&2; exit 1; }
echo "pg.sh: PostgreSQL on port $PG_PORT, kafka-mock at $BOOTSTRAP, $COUNT JSON records x $SIZE B" >&2

"$BUILD/bench/raw_kafka" produce --bootstrap "$BOOTSTRAP" --topic pgbench --count "$COUNT" \
    --size "$SIZE" --json --timeout "$TIMEOUT" -X sticky.partitioning.linger.ms=0 >&2

# ---- the sink ----
cat >"$WORK/worker.properties" <<EOF
bootstrap.servers=$BOOTSTRAP
listeners=http://127.0.0.1:0
plugin.path=$BUILD/plugins
offset.storage.file.filename=$WORK/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.flush.interval.ms=10000
EOF
cat >"$WORK/connector.json" <<EOF
{"name":"pgbench","config":{"connector.class":"PostgresSinkConnector","topics":"pgbench",
 "connection.url":"jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres",
 "auto.create":"true","tasks.max":"1","buffer.count.records":"$BATCH","buffer.flush.time":"1"}}
EOF
"$BUILD/bin/sluice-worker" --standalone "$WORK/worker.properties" "$WORK/connector.json" \
    >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!

stored() { sql -c "SELECT coalesce(sum(next_offset), 0) FROM __sluice_offsets" 2>/dev/null || echo 0; }
T0= N0= T1= N1= last=0 last_change=$(now)
while :; do
    n=$(stored)
    t=$(now)
    if [[ -z $T0 && $n -gt 0 ]]; then T0=$t N0=$n; fi
    if [[ -z $T1 ]] && ((n > COUNT - BATCH)); then T1=$t N1=$n; fi
    ((n >= COUNT)) && break
    if ((n != last)); then last=$n last_change=$t; fi
    if ! kill -0 "$WORKER_PID" 2>/dev/null; then
        echo "pg.sh: the worker exited:" >&2; tail -n 20 "$WORK/worker.log" >&2; exit 1
    fi
    if awk -v a="$t" -v b="$last_change" -v l="$TIMEOUT" 'BEGIN { exit !(a - b > l) }'; then
        echo "pg.sh: no progress for ${TIMEOUT}s at $n records:" >&2
        tail -n 20 "$WORK/worker.log" >&2
        exit 1
    fi
    sleep 0.05
done
kill "$WORKER_PID" 2>/dev/null || true
wait "$WORKER_PID" 2>/dev/null || true
WORKER_PID=
ROWS=$(sql -c "SELECT count(*) FROM pgbench")
((ROWS == COUNT)) || { echo "pg.sh: the table has $ROWS rows, expected $COUNT" >&2; exit 1; }
SINK_RPS=$(awk -v n=$((N1 - N0)) -v a="$T0" -v b="$T1" 'BEGIN { s = b - a; printf "%.0f", (s > 0 ? n / s : 0) }')

# ---- the baseline: the same rows through psql \copy ----
sql -c "\\copy pgbench TO '$WORK/rows.txt'"
sql -c "CREATE TABLE pgbench_copy (LIKE pgbench)"
C0=$(now)
sql -c "\\copy pgbench_copy FROM '$WORK/rows.txt'"
C1=$(now)
COPIED=$(sql -c "SELECT count(*) FROM pgbench_copy")
((COPIED == COUNT)) || { echo "pg.sh: psql copied $COPIED rows, expected $COUNT" >&2; exit 1; }
COPY_RPS=$(awk -v n="$COUNT" -v a="$C0" -v b="$C1" 'BEGIN { s = b - a; printf "%.0f", (s > 0 ? n / s : 0) }')
RATIO=$(awk -v a="$SINK_RPS" -v b="$COPY_RPS" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
echo "pg.sh: sink $((N1 - N0)) records in $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')s;" \
    "psql \\copy $COUNT rows in $(awk -v a="$C0" -v b="$C1" 'BEGIN { printf "%.2f", b - a }')s" >&2
echo "postgres sink: $SINK_RPS rec/s = $RATIO x psql COPY"
