"""The file-system sink (FsSinkConnector, the HDFS 2 sink's layout) against kafka-mock and a
standalone worker: every partitioner and format with their files read back (Avro by python3-avro,
an independent reader), rotation by count, record time and wall clock, and exactly once across
repeated SIGKILLs (every offset in exactly one committed file)."""
import base64
import csv
import datetime
import decimal
import io
import json
import os
import random
import re
import time
import zlib

import avro.datafile
import avro.io

from conftest import kcat_produce
from sluice import Worker, wait_for

JSON = "org.apache.kafka.connect.json.JsonConverter"
COMMITTED = re.compile(r"^([a-zA-Z0-9._-]+)\+(\d+)\+(\d+)\+(\d+)(\.\w+)?$")
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def committed(root, topic):
    """{relative path: (partition, start, end)} of the committed files of `topic`."""
    out = {}
    base = os.path.join(root, "topics", topic)
    for d, _, files in os.walk(base):
        for f in files:
            m = COMMITTED.match(f)
            if m and m.group(1) == topic:
                rel = os.path.relpath(os.path.join(d, f), base)
                out[rel] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    return out


def temp_files(root):
    found = []
    for d, _, files in os.walk(os.path.join(root, "topics", "+tmp")):
        found += [os.path.join(d, f) for f in files]
    return found


def fs_conf(root, topic, **extra):
    conf = {"connector.class": "FsSinkConnector", "tasks.max": "1", "topics": topic,
            "store.url": "file://" + str(root), "flush.size": "1000",
            "format.class": "json"}
    conf.update(extra)
    return conf


def envelope(schema, payload):
    return json.dumps({"schema": schema, "payload": payload}, separators=(",", ":"))


ORDER_SCHEMA = {
    "type": "struct", "name": "com.example.Order", "version": 1, "optional": False,
    "fields": [
        {"field": "id", "type": "int32"},
        {"field": "name", "type": "string"},
        {"field": "note", "type": "string", "optional": True},
        {"field": "ok", "type": "boolean"},
        {"field": "price", "type": "double"},
        {"field": "ts", "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp",
         "version": 1},
        {"field": "amount", "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal",
         "version": 1, "parameters": {"scale": "2"}},
        {"field": "day", "type": "int32", "name": "org.apache.kafka.connect.data.Date",
         "version": 1},
        {"field": "tags", "type": "array", "items": {"type": "string"}},
        {"field": "counts", "type": "map", "keys": {"type": "string"},
         "values": {"type": "int32"}},
    ]}


def order(i):
    return {"id": i, "name": f"order-{i}", "note": None if i % 3 == 0 else f"n{i}",
            "ok": i % 2 == 0, "price": i * 1.5, "ts": T0 + (i % 3) * 3_600_000 + i,
            "amount": decimal.Decimal(i * 100 - 1005) / 100, "day": 19675 + i,
            "tags": [f"t{i}", "x"], "counts": {"a": i, "b": -i}}


def order_payload(i):
    """order(i) as JsonConverter's payload: Decimal as base64 of the unscaled bytes."""
    o = order(i)
    unscaled = int(o["amount"] * 100)
    o["amount"] = base64.b64encode(
        unscaled.to_bytes((unscaled.bit_length() + 8) // 8, "big", signed=True)).decode()
    return o


def read_avro(path):
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        schema = json.loads(reader.meta["avro.schema"].decode())
        records = list(reader)
        reader.close()
    return schema, records


def test_partitioners_formats_and_rotation(build_dir, kafka_mock_factory, tmp_path):
    root = tmp_path / "store"
    kafka = kafka_mock_factory(topics=["fs-json:2", "fs-csv:1", "fs-avro:1", "fs-daily:1",
                                       "fs-rectime:1", "fs-wall:1"])
    b = kafka.bootstrap
    for p in (0, 1):
        kcat_produce(b, "fs-json", [json.dumps({"p": p, "i": i}) for i in range(250)],
                     partition=p)
    countries = ["us", "fr", "de/x"]  # a '/' in a value must not add a directory level
    csv_rows = [{"id": i, "country": countries[i % 3], "name": f'n,"{i}"'} for i in range(40)]
    kcat_produce(b, "fs-csv", [json.dumps(r) for r in csv_rows], partition=0)
    # First a schemaless record: Avro cannot hold it; errors.tolerance=all skips it.
    kcat_produce(b, "fs-avro", [envelope(None, {"id": -1, "ts": T0})] +
                 [envelope(ORDER_SCHEMA, order_payload(i)) for i in range(30)], partition=0)
    kcat_produce(b, "fs-daily", [json.dumps({"i": i}) for i in range(5)], partition=0)
    kcat_produce(b, "fs-rectime",
                 [json.dumps({"i": k, "at": T0 + k * 3000}) for k in range(10)], partition=0)

    schemaless = {"value.converter": JSON, "value.converter.schemas.enable": "false"}
    conns = [
        {"name": "fs-json", "config": fs_conf(root, "fs-json", **{
            "flush.size": "100", "format.class": "io.confluent.connect.hdfs.json.JsonFormat",
            "partitioner.class": "io.confluent.connect.storage.partitioner.DefaultPartitioner",
            **schemaless})},
        {"name": "fs-csv", "config": fs_conf(root, "fs-csv", **{
            "flush.size": "10", "format.class": "csv",
            "partitioner.class": "io.confluent.connect.storage.partitioner.FieldPartitioner",
            "partition.field.name": "country", **schemaless})},
        {"name": "fs-avro", "config": fs_conf(root, "fs-avro", **{
            "connector.class": "io.confluent.connect.hdfs.HdfsSinkConnector",
            "store.url": str(root), "flush.size": "30",
            "format.class": "io.confluent.connect.hdfs.avro.AvroFormat",
            "partitioner.class": "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
            "path.format": "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
            "partition.duration.ms": "3600000", "locale": "en_US", "timezone": "UTC",
            "timestamp.extractor": "RecordField", "timestamp.field": "ts",
            "errors.tolerance": "all", "errors.log.enable": "true",
            "value.converter": JSON, "value.converter.schemas.enable": "true"})},
        {"name": "fs-daily", "config": fs_conf(root, "fs-daily", **{
            "flush.size": "5", "partitioner.class": "DailyPartitioner",
            "timezone": "America/Los_Angeles", **schemaless})},
        {"name": "fs-rectime", "config": fs_conf(root, "fs-rectime", **{
            "rotate.interval.ms": "10000", "timestamp.extractor": "RecordField",
            "timestamp.field": "at", **schemaless})},
        {"name": "fs-wall", "config": fs_conf(root, "fs-wall", **{
            "rotate.schedule.interval.ms": "2000", **schemaless})},
    ]
    w = Worker(build_dir, tmp_path, b, conns).start()
    try:
        for c in conns:
            w.wait_running(c["name"], timeout=60)
        wait_for(lambda: len(committed(root, "fs-json")) == 4, 60, 0.2, "fs-json files")
        wait_for(lambda: len(committed(root, "fs-csv")) == 12, 60, 0.2, "fs-csv files")
        wait_for(lambda: len(committed(root, "fs-avro")) == 3, 60, 0.2, "fs-avro files")
        wait_for(lambda: len(committed(root, "fs-daily")) == 1, 60, 0.2, "fs-daily file")
        wait_for(lambda: len(committed(root, "fs-rectime")) == 2, 60, 0.2, "fs-rectime files")

        # Wall clock: records arrive, then nothing; the file still appears at the next 2 s
        # boundary.
        assert committed(root, "fs-wall") == {}
        kcat_produce(b, "fs-wall", [json.dumps({"w": i}) for i in range(7)], partition=0)
        sent = time.time()
        wait_for(lambda: len(committed(root, "fs-wall")) == 1, 20, 0.1, "fs-wall file")
        print(f"\nwall-clock rotation committed {time.time() - sent:.2f} s after the records")
        assert temp_files(root) == [] or all("fs-json" in t or "fs-rectime" in t
                                             for t in temp_files(root))
    finally:
        assert w.stop() == 0, w.logs()

    # ---- JSON, default partitioner: flush.size 100 -> two files per partition, padded names
    files = committed(root, "fs-json")
    assert sorted(files) == sorted(
        f"partition={p}/fs-json+{p}+{s:010d}+{s + 99:010d}.json" for p in (0, 1) for s in (0, 100))
    for rel, (p, s, e) in files.items():
        lines = (root / "topics" / "fs-json" / rel).read_text().splitlines()
        assert [json.loads(x) for x in lines] == [{"p": p, "i": i} for i in range(s, e + 1)]
    # Uncommitted records were discarded at stop; their temporary files went with them.
    assert temp_files(root) == []
    assert (root / "logs" / "fs-json" / "0" / "log").exists()

    # ---- CSV, field partitioner: 4 commits x 3 countries, Hive-style escaped directories
    files = committed(root, "fs-csv")
    dirs = {os.path.dirname(rel) for rel in files}
    assert dirs == {"country=us", "country=fr", "country=de%2Fx"}
    got = []
    for rel, (_, s, e) in files.items():
        text = (root / "topics" / "fs-csv" / rel).read_text()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert text.splitlines()[0] == "id,country,name"
        assert rows and int(rows[0]["id"]) == s and int(rows[-1]["id"]) == e
        for r in rows:
            assert r["country"] == countries[int(r["id"]) % 3]
            assert os.path.dirname(rel) == "country=" + r["country"].replace("/", "%2F")
        got += [{"id": int(r["id"]), "country": r["country"], "name": r["name"]} for r in rows]
    assert sorted(got, key=lambda r: r["id"]) == csv_rows

    # ---- Avro, time-based on a record field: one file per hour, read by python3-avro
    files = committed(root, "fs-avro")
    hours = [datetime.datetime.fromtimestamp((T0 + h * 3_600_000) / 1000, datetime.timezone.utc)
             for h in range(3)]
    assert {os.path.dirname(r) for r in files} == {
        h.strftime("year=%Y/month=%m/day=%d/hour=%H") for h in hours}
    seen = []
    for rel in files:
        schema, records = read_avro(root / "topics" / "fs-avro" / rel)
        assert schema["type"] == "record" and schema["name"] == "Order"
        assert schema["namespace"] == "com.example" and schema["connect.version"] == 1
        fields = {f["name"]: f["type"] for f in schema["fields"]}
        assert fields["id"] == "int" or fields["id"] == {"type": "int"}
        assert fields["note"] == ["null", "string"] or fields["note"][0] == "null"
        assert fields["ts"]["logicalType"] == "timestamp-millis"
        assert fields["ts"]["connect.name"] == "org.apache.kafka.connect.data.Timestamp"
        assert fields["tags"]["type"] == "array" and fields["counts"]["type"] == "map"
        assert fields["amount"]["logicalType"] == "decimal" and fields["amount"]["scale"] == 2
        assert fields["day"]["logicalType"] == "date"
        for r in records:
            want = order(r["id"])
            assert r["ts"] == datetime.datetime.fromtimestamp(want["ts"] / 1000,
                                                              datetime.timezone.utc)
            assert r["day"] == datetime.date(1970, 1, 1) + datetime.timedelta(days=want["day"])
            assert {k: v for k, v in r.items() if k not in ("ts", "day")} == {
                k: v for k, v in want.items() if k not in ("ts", "day")}
            seen.append(r["id"])
    assert sorted(seen) == list(range(30))
    assert sorted(v[1] for v in files.values())[0] == 1  # offset 0 was the skipped record
    assert "AvroFormat needs a value schema" in open(w.log_path).read()

    # ---- Daily on the Kafka timestamp, in a named zone
    (rel, _), = committed(root, "fs-daily").items()
    assert re.fullmatch(r"year=\d{4}/month=\d\d/day=\d\d/fs-daily\+0\+0000000000\+0000000004"
                        r"\.json", rel)

    # ---- record-time rotation: a record 10 s or more after the file's first starts a new file
    assert sorted(v[1:] for v in committed(root, "fs-rectime").values()) == [(0, 3), (4, 7)]

    # ---- wall clock
    assert list(committed(root, "fs-wall").values()) == [(0, 0, 6)]


def wal_block(pairs):
    """One block of the sink's write-ahead log (see plugins/fs/README.md)."""
    body = f"BEGIN {len(pairs)}\n" + "".join(
        f"FILE {len(t)}:{t} {len(f)}:{f}\n" for t, f in pairs)
    return body + f"END {zlib.crc32(body.encode()):08x}\n"


def test_validation_and_wal_recovery(build_dir, kafka_mock_factory, tmp_path):
    """Config errors through the REST validate endpoint; then a store left as by a crash
    between the WAL append and the rename: the logged rename is redone, the torn block and the
    stale temporary file are dropped, and consumption resumes after the recovered file."""
    root = tmp_path / "store"
    tmpdir = root / "topics" / "+tmp" / "fs-redo" / "partition=0"
    tmpdir.mkdir(parents=True)
    logged = "topics/+tmp/fs-redo/partition=0/fs-redo+0+00000000000000aa_tmp.json"
    final = "topics/fs-redo/partition=0/fs-redo+0+0000000000+0000000004.json"
    (root / logged).write_text("".join(json.dumps({"seeded": i}) + "\n" for i in range(5)))
    (tmpdir / "fs-redo+0+00000000000000bb_tmp.json").write_text("stale")
    (tmpdir / "fs-redo+7+00000000000000cc_tmp.json").write_text("not ours")
    (root / "logs" / "fs-redo" / "0").mkdir(parents=True)
    torn = wal_block([("topics/+tmp/x", "topics/fs-redo/partition=0/fs-redo+0+5+9.json")])
    (root / "logs" / "fs-redo" / "0" / "log").write_text(
        wal_block([(logged, final)]) + torn[:-5])

    kafka = kafka_mock_factory(topics=["fs-redo:1"])
    kcat_produce(kafka.bootstrap, "fs-redo", [json.dumps({"i": i}) for i in range(10)],
                 partition=0)
    # Two connectors on the same store and topic: one holds the partition's lease (the WAL's
    # flock), the other waits paused and takes over, exactly once, when the first goes away.
    conns = [{"name": name, "config": fs_conf(root, "fs-redo", **{
        "flush.size": "5", "value.converter": JSON,
        "value.converter.schemas.enable": "false"})} for name in ("fs-redo", "fs-redo-b")]
    w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
    try:
        def validate(conf):
            r = w.request("PUT", "/connector-plugins/FsSinkConnector/config/validate",
                          {"connector.class": "FsSinkConnector", "name": "v", "topics": "fs-v",
                           **conf})
            assert r.status == 200, r
            return {c["value"]["name"]: c["value"]["errors"] for c in r.json["configs"]
                    if c["value"]["errors"]}
        errs = validate({"store.url": "hdfs://namenode:8020/data", "flush.size": "3"})
        assert "hdfs:// is not supported" in errs["store.url"][0]
        errs = validate({"store.url": str(tmp_path), "flush.size": "0",
                         "partitioner.class": "TimeBasedPartitioner", "path.format": "YYYY/qq",
                         "partition.duration.ms": "60000", "timezone": "Mars/Olympus"})
        assert set(errs) >= {"flush.size", "timezone"}
        errs = validate({"store.url": str(tmp_path), "flush.size": "3",
                         "partitioner.class": "TimeBasedPartitioner", "path.format": "YYYY/qq",
                         "partition.duration.ms": "60000"})
        assert "Illegal pattern component" in errs["path.format"][0]
        errs = validate({"store.url": str(tmp_path), "flush.size": "3",
                         "partitioner.class": "FieldPartitioner"})
        assert "partition.field.name" in errs
        assert validate({"store.url": str(tmp_path), "flush.size": "3"}) == {}

        wait_for(lambda: len(committed(root, "fs-redo")) == 2, 60, 0.2, "recovered + new file")
        waiting = wait_for(lambda: re.search(r"\((fs-redo(?:-b)?)-0\) fs: fs-redo-0: cannot lock",
                                             w.logs()), 30, 0.2, "the second owner waiting")
        owner = "fs-redo-b" if waiting.group(1) == "fs-redo" else "fs-redo"
        assert w.request("DELETE", f"/connectors/{owner}").status == 204
        kcat_produce(kafka.bootstrap, "fs-redo", [json.dumps({"i": i}) for i in range(10, 15)],
                     partition=0)
        wait_for(lambda: len(committed(root, "fs-redo")) == 3, 60, 0.2, "the other owner's file")
        taker = "fs-redo" if owner == "fs-redo-b" else "fs-redo-b"
        assert re.search(rf"\({taker}-0\) fs: fs-redo-0 recovered: 0 rename\(s\) redone .*"
                         r"resuming after committed offset 9", w.logs()), w.logs()
    finally:
        assert w.stop() == 0, w.logs()
    files = committed(root, "fs-redo")
    assert sorted(files.values()) == [(0, 0, 4), (0, 5, 9), (0, 10, 14)]
    base = root / "topics" / "fs-redo" / "partition=0"
    assert (base / "fs-redo+0+0000000000+0000000004.json").read_text().splitlines() == [
        json.dumps({"seeded": i}) for i in range(5)]
    assert [json.loads(x) for x in (base / "fs-redo+0+0000000005+0000000009.json")
            .read_text().splitlines()] == [{"i": i} for i in range(5, 10)]
    assert sorted(p.name for p in tmpdir.iterdir()) == ["fs-redo+7+00000000000000cc_tmp.json"]
    assert "1 rename(s) redone" in w.logs()


def test_exactly_once_across_sigkills(build_dir, kafka_mock_factory, tmp_path):
    root = tmp_path / "store"
    n = 30000
    kafka = kafka_mock_factory(topics=["fs-eos:2"])
    for p in (0, 1):
        kcat_produce(kafka.bootstrap, "fs-eos",
                     [json.dumps({"p": p, "seq": i}) for i in range(n)], partition=p)
    conns = [{"name": "fs-eos", "config": fs_conf(root, "fs-eos", **{
        "flush.size": "97", "rotate.schedule.interval.ms": "1000",
        "value.converter": JSON, "value.converter.schemas.enable": "false"})}]
    rng = random.Random(7)
    kills = 0

    def done():
        return sum(e - s + 1 for _, s, e in committed(root, "fs-eos").values())
    for round_ in range(4):
        w = Worker(build_dir, tmp_path, kafka.bootstrap, conns, name=f"w{round_}").start()
        try:
            if round_ < 3:
                before = len(committed(root, "fs-eos"))
                # Kill in the middle of the load, at a random moment after progress resumed.
                wait_for(lambda: len(committed(root, "fs-eos")) >= before + 3 or done() >= 2 * n,
                         60, 0.01, "progress after a restart")
                time.sleep(rng.uniform(0.0, 0.2))
                if done() < 2 * n:
                    w.kill()
                    kills += 1
                    continue
            wait_for(lambda: done() >= 2 * n, 90, 0.2, "every offset committed")
            break
        finally:
            if w.proc.poll() is None:
                assert w.stop() == 0, w.logs()
            else:
                w.log.close()
    # A fast machine may finish the load before the last kill; two mid-load kills at least.
    assert kills >= 2, f"only {kills} SIGKILL(s) landed during the load"

    files = committed(root, "fs-eos")
    for p in (0, 1):
        ranges = sorted((s, e, rel) for rel, (pp, s, e) in files.items() if pp == p)
        expect = 0
        for s, e, rel in ranges:
            assert s == expect, f"partition {p}: gap or overlap at {s} (expected {expect})"
            lines = (root / "topics" / "fs-eos" / rel).read_text().splitlines()
            assert [json.loads(x)["seq"] for x in lines] == list(range(s, e + 1)), rel
            assert all(json.loads(x)["p"] == p for x in lines)
            expect = e + 1
        assert expect == n, f"partition {p}: committed up to {expect}, expected {n}"
    assert temp_files(root) == []
    print(f"\n{kills} SIGKILLs: {len(files)} committed files, every offset exactly once")
