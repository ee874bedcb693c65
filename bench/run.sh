#!/usr/bin/env bash
# bench/run.sh: `make bench`: starts kafka-mock, measures the raw librdkafka baseline, then each
# Sluice pipeline, and prints one table of records/s with ratios against the baseline.
#
# Environment: SLUICE_BUILD (build dir, default <repo>/build), BENCH_COUNT (records, 1000000),
# BENCH_SIZE (value bytes, 100), BENCH_PARTITIONS (default: enough for the data, at least 32),
# BENCH_TIMEOUT (seconds without progress before a run gives up, 60). Raw result lines are
# also written to $SLUICE_BUILD/bench/results.txt.
#
# The mock broker (librdkafka 2.0.2) keeps only the newest 5 MiB of each partition and silently
# drops older data. So that the topic still holds every record when it is read back, the topic
# gets enough partitions for <= 4 MiB each, and producers spread records evenly with
# sticky.partitioning.linger.ms=0 (librdkafka's default sticky partitioner fills one partition
# at a time and can put twice the average in one). Sluice source rows must produce with the
# same setting (worker property producer.sticky.partitioning.linger.ms=0: $BENCH_PRODUCER_PROPS)
# for a fair ratio and a complete topic.
set -euo pipefail
[[ -n ${BENCH_DEBUG:-} ]] && set -x

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SLUICE_BUILD:-$REPO/build}
COUNT=${BENCH_COUNT:-1000000}
SIZE=${BENCH_SIZE:-100}
# ~20 bytes of record overhead per record on the log, at most 4 MiB per partition
PARTITIONS=${BENCH_PARTITIONS:-$(((COUNT * (SIZE + 20) + 4194303) / 4194304))}
((PARTITIONS >= 32)) || PARTITIONS=32
BENCH_PRODUCER_PROPS="sticky.partitioning.linger.ms=0"
export BENCH_PRODUCER_PROPS
TIMEOUT=${BENCH_TIMEOUT:-60}
OUT_DIR=$BUILD/bench
RESULTS=$OUT_DIR/results.txt
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")

for bin in "$BUILD/bin/kafka-mock" "$OUT_DIR/raw_kafka"; do
    [[ -x $bin ]] || { echo "bench: $bin is missing: run make bench" >&2; exit 1; }
done
mkdir -p "$OUT_DIR"
: >"$RESULTS"

# ---- kafka-mock, driven through a coprocess: closing its stdin shuts it down cleanly ----
KM_PID= # bash unsets MOCK_PID once it reaps the coprocess, so keep our own copy
start_mock() { # start_mock TOPIC:PARTITIONS...  -> sets BOOTSTRAP
    local args=() t
    for t in "$@"; do args+=(--topic "$t"); done
    coproc MOCK { exec "$BUILD/bin/kafka-mock" --brokers 1 "${args[@]}" 2>"$LOG_DIR/kafka-mock.log"; }
    KM_PID=$MOCK_PID
    if ! read -r -t 15 BOOTSTRAP <&"${MOCK[0]}"; then
        echo "bench: kafka-mock did not start:" >&2
        cat "$LOG_DIR/kafka-mock.log" >&2
        exit 1
    fi
}
stop_mock() {
    [[ -n $KM_PID ]] || return 0
    if [[ -n ${MOCK[1]:-} ]]; then eval "exec ${MOCK[1]}>&-"; fi
    local i
    for i in $(seq 50); do kill -0 "$KM_PID" 2>/dev/null || break; sleep 0.1; done
    kill "$KM_PID" 2>/dev/null || true
    wait "$KM_PID" 2>/dev/null || true
    KM_PID=
}
cleanup() {
    stop_worker
    stop_mock
    rm -rf "$LOG_DIR"
}
trap cleanup EXIT

# ---- results ----
ROWS=()
field() { # field KEY "LINE" -> value of KEY=value in a result line
    local kv
    for kv in $2; do [[ $kv == "$1="* ]] && { echo "${kv#*=}"; return; }; done
    echo ""
}
# run_bench NAME BASELINE_RPS COMMAND... : runs a command that prints one result line
# (records= seconds= rps=), records it, and adds a table row with rps / BASELINE_RPS
# (BASELINE_RPS empty: no ratio). The result line's rps is left in LAST_RPS.
LAST_RPS=
run_bench() {
    local name=$1 base=$2 line
    shift 2
    echo "bench: $name ..." >&2
    if ! line=$("$@" 2>"$LOG_DIR/last.log" | tail -n 1) || [[ -z $line ]]; then
        echo "bench: $name failed:" >&2
        tail -n 20 "$LOG_DIR/last.log" >&2
        ROWS+=("$name|-|-|FAILED|-")
        LAST_RPS=
        return 0
    fi
    echo "$name: $line" >>"$RESULTS"
    LAST_RPS=$(field rps "$line")
    local ratio=-
    if [[ -n $base && -n $LAST_RPS && $base != 0 ]]; then
        ratio=$(awk -v a="$LAST_RPS" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    fi
    ROWS+=("$name|$(field records "$line")|$(field seconds "$line")|$LAST_RPS|$ratio")
}

start_mock "bench:$PARTITIONS" "benchjson:$PARTITIONS" "benchsource:$PARTITIONS"
echo "bench: kafka-mock at $BOOTSTRAP, topic bench ($PARTITIONS partitions)," \
    "$COUNT records x $SIZE bytes" >&2

run_bench "raw librdkafka produce" "" \
    "$OUT_DIR/raw_kafka" produce --bootstrap "$BOOTSTRAP" --topic bench --count "$COUNT" \
    --size "$SIZE" --timeout "$TIMEOUT" -X "$BENCH_PRODUCER_PROPS"
RAW_PRODUCE_RPS=$LAST_RPS
run_bench "raw librdkafka consume" "" \
    "$OUT_DIR/raw_kafka" consume --bootstrap "$BOOTSTRAP" --topic bench --count "$COUNT" \
    --timeout "$TIMEOUT"
RAW_CONSUME_RPS=$LAST_RPS
export RAW_PRODUCE_RPS RAW_CONSUME_RPS

# ---- Sluice pipelines: source rows use RAW_PRODUCE_RPS as baseline, sink rows RAW_CONSUME_RPS.
# sluice_run CLASS CONVERTER TOPIC_KEY TOPIC [EXTRA_WORKER_PROPS...]: runs a standalone worker
# with one bench connector (bench/plugins; build/plugins is on plugin.path too, for the
# transforms) and prints its result line. $CONN_EXTRA, when set, is a JSON fragment of extra
# connector config ("k":"v","k2":"v2") added to the connector's config. The connector writes
# "<records> <first_ns> <last_ns>" when it has seen COUNT records (sinks: in put; the source:
# acknowledged by Kafka), so the time is first record to last, as the raw rows measure it.
WORKER_PID=
sluice_run() {
    local class=$1 conv=$2 topic_key=$3 topic=$4
    shift 4
    local dir
    dir=$(mktemp -d "$LOG_DIR/worker.XXXXXX")
    {
        echo "bootstrap.servers=$BOOTSTRAP"
        echo "listeners=http://127.0.0.1:0"
        echo "plugin.path=$BUILD/bench/plugins,$BUILD/plugins"
        echo "offset.storage.file.filename=$dir/offsets"
        echo "key.converter=$conv"
        echo "value.converter=$conv"
        echo "value.converter.schemas.enable=false"
        echo "key.converter.schemas.enable=false"
        echo "offset.flush.interval.ms=10000"
        echo "producer.$BENCH_PRODUCER_PROPS"
        local p
        for p in "$@"; do echo "$p"; done
    } >"$dir/worker.properties"
    printf '{"name":"bench","config":{"connector.class":"%s","%s":"%s","report.file":"%s",
        "records":"%s","record.size":"%s"%s}}\n' "$class" "$topic_key" "$topic" "$dir/report" \
        "$COUNT" "$SIZE" "${CONN_EXTRA:+,$CONN_EXTRA}" >"$dir/connector.json"
    "$BUILD/bin/sluice-worker" --standalone "$dir/worker.properties" "$dir/connector.json" \
        >"$dir/worker.log" 2>&1 &
    WORKER_PID=$!
    local waited=0
    while [[ ! -s $dir/report ]]; do
        if ! kill -0 "$WORKER_PID" 2>/dev/null; then
            echo "bench: worker exited early:" >&2
            tail -n 20 "$dir/worker.log" >&2
            return 1
        fi
        sleep 0.2
        waited=$((waited + 1))
        if ((waited > TIMEOUT * 5)); then
            echo "bench: no report after ${TIMEOUT}s:" >&2
            tail -n 20 "$dir/worker.log" >&2
            stop_worker
            return 1
        fi
    done
    stop_worker
    awk '{ s = ($3 - $2) / 1e9; printf "sluice records=%d seconds=%.3f rps=%.0f\n", $1, s, (s > 0 ? $1 / s : 0) }' \
        "$dir/report"
}
stop_worker() {
    [[ -n $WORKER_PID ]] || return 0
    kill "$WORKER_PID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
    WORKER_PID=
}

run_bench "sink: ByteArray, no SMTs, discard" "$RAW_CONSUME_RPS" \
    sluice_run io.sluice.bench.DiscardSinkConnector \
    org.apache.kafka.connect.converters.ByteArrayConverter topics bench
run_bench "raw librdkafka produce (JSON docs)" "" \
    "$OUT_DIR/raw_kafka" produce --bootstrap "$BOOTSTRAP" --topic benchjson --count "$COUNT" \
    --size "$SIZE" --json --timeout "$TIMEOUT" -X "$BENCH_PRODUCER_PROPS"
run_bench "sink: JsonConverter, reads every field" "$RAW_CONSUME_RPS" \
    sluice_run io.sluice.bench.ReadingSinkConnector \
    org.apache.kafka.connect.json.JsonConverter topics benchjson
# Three common SMTs on the same JSON documents: rename a field, cast two, add one.
SMT_CHAIN='"transforms":"rename,cast,insert",
    "transforms.rename.type":"org.apache.kafka.connect.transforms.ReplaceField$Value",
    "transforms.rename.renames":"user:username",
    "transforms.cast.type":"org.apache.kafka.connect.transforms.Cast$Value",
    "transforms.cast.spec":"id:string,score:float32",
    "transforms.insert.type":"org.apache.kafka.connect.transforms.InsertField$Value",
    "transforms.insert.static.field":"origin","transforms.insert.static.value":"bench"'
# Its own consumer group: the row above committed benchjson's offsets in connect-bench, and
# the mock would hold a rejoin of that group for a whole session timeout.
CONN_EXTRA="$SMT_CHAIN,\"consumer.override.group.id\":\"bench-smt\"" run_bench "sink: JsonConverter + ReplaceField, Cast, InsertField" \
    "$RAW_CONSUME_RPS" sluice_run io.sluice.bench.ReadingSinkConnector \
    org.apache.kafka.connect.json.JsonConverter topics benchjson
run_bench "source: ByteArray -> kafka" "$RAW_PRODUCE_RPS" \
    sluice_run io.sluice.bench.BenchSourceConnector \
    org.apache.kafka.connect.converters.ByteArrayConverter topic benchsource

# ---- idle resident memory of a worker with no connectors ----
idle_rss() {
    local dir
    dir=$(mktemp -d "$LOG_DIR/idle.XXXXXX")
    printf 'bootstrap.servers=%s\nlisteners=http://127.0.0.1:0\nplugin.path=%s\noffset.storage.file.filename=%s\nkey.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n' \
        "$BOOTSTRAP" "$BUILD/plugins" "$dir/offsets" >"$dir/worker.properties"
    "$BUILD/bin/sluice-worker" --standalone "$dir/worker.properties" >"$dir/worker.log" 2>&1 &
    WORKER_PID=$!
    sleep 3
    IDLE_RSS_KB=$(awk '/^VmRSS/ { print $2 }' "/proc/$WORKER_PID/status" 2>/dev/null || echo "?")
    stop_worker
}
idle_rss

stop_mock

printf '\n%-54s %10s %9s %11s %7s\n' "benchmark ($COUNT x ${SIZE} B)" records seconds "records/s" "x raw"
printf '%-54s %10s %9s %11s %7s\n' "------------------------------------------------------" "----------" \
    "---------" "-----------" "-------"
for row in "${ROWS[@]}"; do
    IFS='|' read -r name records seconds rps ratio <<<"$row"
    printf '%-54s %10s %9s %11s %7s\n' "$name" "$records" "$seconds" "$rps" "$ratio"
done
echo "idle worker (no connectors, all plugins loaded): resident memory ${IDLE_RSS_KB} kB"
echo "idle_rss_kb=$IDLE_RSS_KB" >>"$RESULTS"
echo "(result lines in $RESULTS)"
