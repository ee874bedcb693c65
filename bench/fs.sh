#!/usr/bin/env bash
# bench/fs.sh BUILD_DIR: throughput of the file-system sink (FsSinkConnector, JSON format, default
# partitioner) against writing the same bytes with cat. Prints one row:
#   fs sink: X rec/s (Y MB/s) = R x cat
#
# Starts kafka-mock, produces BENCH_COUNT JSON documents of BENCH_SIZE bytes (as bench/run.sh),
# runs a standalone worker with the sink and times from its first file to every record in a
# committed (fsynced, renamed) file. The tail is committed by rotate.schedule.interval.ms=1000,
# so up to a second of the measured time is the schedule's wait. The baseline dumps the topic
# with kcat and times `cat dump > out` plus a final fsync of out (the sink's files are synced).
# Environment: BENCH_COUNT (1000000), BENCH_SIZE (100), BENCH_FLUSH_SIZE (10000),
# BENCH_TIMEOUT (seconds without progress, 60).
set -euo pipefail
[[ -n ${BENCH_DEBUG:-} ]] && set -x

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${SLUICE_BUILD:-$REPO/build}}" && pwd)
COUNT=${BENCH_COUNT:-1000000}
SIZE=${BENCH_SIZE:-100}
FLUSH=${BENCH_FLUSH_SIZE:-10000}
TIMEOUT=${BENCH_TIMEOUT:-60}
TOPIC=benchfs
# The mock keeps only the newest 5 MiB of a partition: enough partitions for <= 4 MiB each.
PARTITIONS=$(((COUNT * (SIZE + 20) + 4194303) / 4194304))
((PARTITIONS >= 4)) || PARTITIONS=4
KCAT=$(command -v kcat || command -v kafkacat || echo kcat)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-fs.XXXXXX")

for f in "$BUILD/bin/kafka-mock" "$BUILD/bin/sluice-worker" "$BUILD/plugins/fs.so"; do
    [[ -e $f ]] || { echo "bench/fs.sh: $f is missing: build it first" >&2; exit 1; }
done

KM_PID= WORKER_PID=
cleanup() {
    if [[ -n $WORKER_PID ]]; then kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; fi
    if [[ -n $KM_PID ]]; then
        if [[ -n ${MOCK[1]:-} ]]; then eval "exec ${MOCK[1]}>&-"; fi
        kill "$KM_PID" 2>/dev/null || true
        wait "$KM_PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT

now() { date +%s.%N; }

coproc MOCK { exec "$BUILD/bin/kafka-mock" --brokers 1 --topic "$TOPIC:$PARTITIONS" 2>"$DIR/kafka-mock.log"; }
KM_PID=$MOCK_PID
read -r -t 15 BOOTSTRAP <&"${MOCK[0]}" || { echo "bench/fs.sh: kafka-mock did not start" >&2; cat "$DIR/kafka-mock.log" >&2; exit 1; }

echo "bench/fs.sh: producing $COUNT JSON records of $SIZE bytes ($PARTITIONS partitions)" >&2
if [[ -x $BUILD/bench/raw_kafka ]]; then
    "$BUILD/bench/raw_kafka" produce --bootstrap "$BOOTSTRAP" --topic "$TOPIC" --count "$COUNT" \
        --size "$SIZE" --json --timeout "$TIMEOUT" -X sticky.partitioning.linger.ms=0 >/dev/null
else
    # Without the bench binaries: the same document through kcat.
    head='{"id":1234567,"user":"user-1234567","score":98.25,"active":true,"tags":["a","bc"],"pad":"'
    pad=$((SIZE - ${#head} - 2))
    doc="$head$(printf '%*s' "$pad" '' | tr ' ' 'x')\"}"
    awk -v n="$COUNT" -v d="$doc" 'BEGIN { for (i = 0; i < n; i++) print d }' |
        "$KCAT" -b "$BOOTSTRAP" -P -t "$TOPIC" -X sticky.partitioning.linger.ms=0 -X linger.ms=20
fi

# ---- the sink ----
STORE=$DIR/store
cat >"$DIR/worker.properties" <<EOF
bootstrap.servers=$BOOTSTRAP
listeners=http://127.0.0.1:0
plugin.path=$BUILD/plugins
offset.storage.file.filename=$DIR/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.flush.interval.ms=10000
EOF
cat >"$DIR/connector.json" <<EOF
{"name":"bench-fs","config":{"connector.class":"io.sluice.connect.fs.FsSinkConnector",
 "topics":"$TOPIC","store.url":"file://$STORE","format.class":"json","flush.size":"$FLUSH",
 "rotate.schedule.interval.ms":"1000","tasks.max":"1"}}
EOF
"$BUILD/bin/sluice-worker" --standalone "$DIR/worker.properties" "$DIR/connector.json" \
    >"$DIR/worker.log" 2>&1 &
WORKER_PID=$!

committed_records() {
    { find "$STORE/topics/$TOPIC" -name "$TOPIC+*+*+*.json" 2>/dev/null || true; } |
        awk -F+ '{ e = $NF; sub(/\..*/, "", e); s += e - $(NF - 1) + 1 } END { print s + 0 }'
}

T0= last=0 last_change=$(now)
while :; do
    if ! kill -0 "$WORKER_PID" 2>/dev/null; then
        echo "bench/fs.sh: worker exited:" >&2; tail -n 20 "$DIR/worker.log" >&2; exit 1
    fi
    t=$(now)
    if [[ -z $T0 && -d $STORE/topics ]]; then T0=$t; fi # the first record was written
    if [[ -n $T0 ]]; then
        n=$(committed_records)
        if ((n >= COUNT)); then T1=$t; break; fi
        if ((n != last)); then last=$n; last_change=$t; fi
    fi
    if awk -v a="$t" -v b="$last_change" -v m="$TIMEOUT" 'BEGIN { exit !(a - b > m) }'; then
        echo "bench/fs.sh: no progress for ${TIMEOUT}s ($last of $COUNT committed):" >&2
        tail -n 20 "$DIR/worker.log" >&2
        exit 1
    fi
    sleep 0.02
done
BYTES=$(find "$STORE/topics/$TOPIC" -name '*.json' -printf '%s\n' | awk '{ s += $1 } END { print s }')
kill "$WORKER_PID" 2>/dev/null || true
wait "$WORKER_PID" 2>/dev/null || true
WORKER_PID=

# ---- the baseline: the same bytes through cat ----
"$KCAT" -b "$BOOTSTRAP" -C -t "$TOPIC" -o beginning -e -q -f '%s\n' >"$DIR/dump.json"
C0=$(now)
cat "$DIR/dump.json" >"$DIR/cat.out"
sync "$DIR/cat.out"
C1=$(now)
CAT_BYTES=$(stat -c %s "$DIR/dump.json")

awk -v n="$COUNT" -v b="$BYTES" -v t0="$T0" -v t1="$T1" -v cb="$CAT_BYTES" -v c0="$C0" -v c1="$C1" '
BEGIN {
    s = t1 - t0; c = c1 - c0
    if (s <= 0) s = 1e-9
    if (c <= 0) c = 1e-9
    rps = n / s; mbps = b / s / 1e6; cat_rps = n / c
    printf "fs sink: %.0f rec/s (%.1f MB/s) = %.2f x cat\n", rps, mbps, rps / cat_rps
    printf "(fs sink: %d records, %d bytes in %.3f s; cat: %d bytes in %.3f s)\n", n, b, s, cb, c > "/dev/stderr"
}'
