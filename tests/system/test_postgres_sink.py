"""PostgresSinkConnector against a real PostgreSQL server (pgserver.py) and kafka-mock on a
standalone worker: bulk insert (COPY) and upsert of 100,000 records with auto.create, typed
columns and auto.evolve, update mode, deletes by tombstone, the record layout's metadata,
topic-to-table naming with collision suffixes, the buffer.flush.time bound with a trickle, rejected rows
(rejected.table and the DLQ, and errors.tolerance=none), config validation, and exactly once
across repeated SIGKILLs and dropped database connections (count(*) = count(distinct offset) =
records produced)."""
import base64
import json
import random
import threading
import time

import pytest

from conftest import kcat_consume, kcat_produce
from pgserver import PgServer
from sluice import Worker, wait_for

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"
SINK = "io.sluice.connect.postgres.PostgresSinkConnector"


@pytest.fixture(scope="module")
def pg():
    """One server for the module; each test gets its own database."""
    server = PgServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db(pg, request):
    name = "t_" + request.node.name.replace("test_", "")[:40].lower()
    pg.create_db(name)
    return name


def sink(pg, db, topics, **extra):
    conf = {
        "connector.class": SINK, "connection.url": pg.url(db), "topics": topics,
        "key.converter": STRING, "value.converter": JSON,
        "value.converter.schemas.enable": "false", "auto.create": "true",
        "buffer.flush.time": "1", "connection.backoff.ms": "200",
    }
    conf.update({k.replace("_", "."): v for k, v in extra.items()})
    return conf


def count(pg, db, table, where=""):
    return int(pg.scalar(f'SELECT count(*) FROM "{table}" {where}', db) or 0)


def table_exists(pg, db, table):
    return pg.scalar(f"SELECT to_regclass('\"{table}\"') IS NOT NULL", db) == "t"


def wait_rows(pg, db, table, n, timeout=60, what=None):
    return wait_for(lambda: table_exists(pg, db, table) and count(pg, db, table) >= n and n,
                    timeout, 0.3, what or f"{n} rows in {table}")


def start(build_dir, tmp_path, kafka, conns, name="worker"):
    w = Worker(build_dir, tmp_path, kafka.bootstrap, conns, name=name)
    w.start()
    return w


# ---------------------------------------------------------------------------------------------


def test_bulk_insert_and_upsert(build_dir, kafka_mock_factory, tmp_path, pg, db):
    n = 100_000
    kafka = kafka_mock_factory(topics=["bulk:8"])
    msgs = [f"k{i % 50000}\t" + json.dumps({"id": i, "name": f"n{i}", "score": i / 4,
                                           "ok": i % 2 == 0}) for i in range(n)]
    kcat_produce(kafka.bootstrap, "bulk", msgs, key_delim="\t",
                 extra=["-X", "sticky.partitioning.linger.ms=0"])
    conns = [
        {"name": "ins", "config": sink(pg, db, "bulk", tasks_max="2", pk_mode="kafka",
                                       table_name_format="ins_${topic}")},
        {"name": "ups", "config": sink(pg, db, "bulk", insert_mode="upsert",
                                       pk_mode="record_key", table_name_format="ups_${topic}")},
    ]
    w = start(build_dir, tmp_path, kafka, conns)
    try:
        t0 = time.time()
        wait_rows(pg, db, "ins_bulk", n, 90)
        wait_for(lambda: table_exists(pg, db, "ups_bulk") and pg.scalar(
            'SELECT min(id) FROM ups_bulk', db) == "50000" and count(pg, db, "ups_bulk") == 50000,
            90, 0.3, "upserts applied")
        print(f"\n100k records inserted and upserted in {time.time() - t0:.1f}s")
        st = w.connector_state("ins")
        assert all(t["state"] == "RUNNING" for t in st["tasks"]), st
    finally:
        assert w.stop() == 0, w.logs()
    assert count(pg, db, "ins_bulk") == n
    assert pg.scalar("SELECT count(DISTINCT (__connect_partition, __connect_offset)) "
                     "FROM ins_bulk", db) == str(n)
    assert pg.scalar("SELECT sum(id) FROM ins_bulk", db) == str(n * (n - 1) // 2)
    # Typed columns inferred from schemaless JSON.
    types = dict(pg.sql("SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'ins_bulk'", db))
    assert types == {"__connect_topic": "text", "__connect_partition": "integer",
                     "__connect_offset": "bigint", "id": "bigint", "name": "text",
                     "score": "double precision", "ok": "boolean"}, types
    assert pg.sql("SELECT name, score, ok FROM ins_bulk WHERE id = 7", db) == [["n7", "1.75", "f"]]
    # Upsert: one row per key, carrying the last value produced for it.
    assert count(pg, db, "ups_bulk") == 50000
    assert pg.scalar("SELECT count(*) FROM ups_bulk WHERE id <> "
                     "substr(__connect_key, 2)::bigint + 50000", db) == "0"
    pk = pg.sql("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'ups_bulk'::regclass "
                "AND i.indisprimary", db)
    assert pk == [["__connect_key"]]
    # The offsets table holds every partition's next offset, consistent with the rows.
    stored = pg.sql("SELECT connector, sum(next_offset) FROM __sluice_offsets "
                    "GROUP BY connector ORDER BY 1", db)
    assert stored == [["ins", str(n)], ["ups", str(n)]]


def envelope(schema, payload):
    return json.dumps({"schema": schema, "payload": payload})


def field(fname, type_, optional=True, **kw):
    return dict({"field": fname, "type": type_, "optional": optional}, **kw)


V1_FIELDS = [
    field("id", "int32", optional=False), field("i8", "int8"), field("i16", "int16"),
    field("i64", "int64"), field("f32", "float"), field("f64", "double"), field("b", "boolean"),
    field("s", "string"), field("raw", "bytes"),
    field("dec", "bytes", name="org.apache.kafka.connect.data.Decimal",
          parameters={"scale": "2"}),
    field("d", "int32", name="org.apache.kafka.connect.data.Date"),
    field("t", "int32", name="org.apache.kafka.connect.data.Time"),
    field("ts", "int64", name="org.apache.kafka.connect.data.Timestamp"),
    field("nested", "struct", fields=[field("a", "int32")]),
    field("arr", "array", items={"type": "string"}),
    field("m", "map", keys={"type": "string"}, values={"type": "int32"}),
]


def typed_record(i, extra=None):
    fields = list(V1_FIELDS)
    payload = {
        "id": i, "i8": -8, "i16": 1600, "i64": 2 ** 40 + i, "f32": 1.5, "f64": 0.1, "b": True,
        "s": "tab\there\nnewline \\ backslash é", "raw": base64.b64encode(b"\x00\x01\xff").decode(),
        "dec": base64.b64encode((-12345).to_bytes(2, "big", signed=True)).decode(),
        "d": 19000, "t": 3723004, "ts": 1700000000123, "nested": {"a": 5},
        "arr": ["x", "y\tz"], "m": {"k": 1},
    }
    if extra is not None:
        fields.append(field("extra", "string"))
        payload["extra"] = extra
    return envelope({"type": "struct", "name": "rec", "optional": False, "fields": fields},
                    payload)


def test_typed_columns_and_auto_evolve(build_dir, kafka_mock_factory, tmp_path, pg, db):
    kafka = kafka_mock_factory(topics=["typed:1"])
    kcat_produce(kafka.bootstrap, "typed", [typed_record(i) for i in range(3)])
    conf = sink(pg, db, "typed", value_converter_schemas_enable="true", pk_mode="record_value",
                pk_fields="id", auto_evolve="true")
    w = start(build_dir, tmp_path, kafka, [{"name": "typed", "config": conf}])
    try:
        wait_rows(pg, db, "typed", 3)
        # A new optional field: auto.evolve adds a nullable column; old rows keep NULL.
        kcat_produce(kafka.bootstrap, "typed", [typed_record(i, extra=f"e{i}")
                                                for i in range(3, 5)])
        wait_rows(pg, db, "typed", 5)
    finally:
        assert w.stop() == 0, w.logs()
    cols = {r[0]: (r[1], r[2]) for r in pg.sql(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = 'typed'", db)}
    assert cols == {
        "id": ("integer", "NO"), "i8": ("smallint", "YES"), "i16": ("smallint", "YES"),
        "i64": ("bigint", "YES"), "f32": ("real", "YES"), "f64": ("double precision", "YES"),
        "b": ("boolean", "YES"), "s": ("text", "YES"), "raw": ("bytea", "YES"),
        "dec": ("numeric", "YES"), "d": ("date", "YES"),
        "t": ("time without time zone", "YES"), "ts": ("timestamp without time zone", "YES"),
        "nested": ("jsonb", "YES"), "arr": ("jsonb", "YES"), "m": ("jsonb", "YES"),
        "extra": ("text", "YES"),
    }, cols
    row = pg.sql("SELECT i8, i16, i64, f32, f64, b, s, encode(raw, 'hex'), dec, d, t, ts, "
                 "nested->>'a', arr->>1, m->>'k', extra FROM typed WHERE id = 1", db)[0]
    assert row == ["-8", "1600", str(2 ** 40 + 1), "1.5", "0.1", "t",
                   "tab\there\nnewline \\ backslash é", "0001ff", "-123.45", "2022-01-08",
                   "01:02:03.004", "2023-11-14 22:13:20.123", "5", "y\tz", "1", None], row
    assert pg.sql("SELECT id, extra FROM typed WHERE id >= 3 ORDER BY id", db) == \
        [["3", "e3"], ["4", "e4"]]
    assert pg.scalar("SELECT count(*) FROM typed WHERE extra IS NULL", db) == "3"


def test_deletes_updates_and_record_layout(build_dir, kafka_mock_factory, tmp_path, pg, db):
    kafka = kafka_mock_factory(topics=["del:1", "rec:2", "upd:1"])
    pg.psql("-c", "CREATE TABLE upd (k text PRIMARY KEY, v text, n integer); INSERT INTO upd "
                  "VALUES ('k1', 'old1', 1), ('k2', 'old2', 2), ('k3', 'old3', 3)", db=db)
    # update mode: only existing keys change, only the fields a record has; last one wins.
    kcat_produce(kafka.bootstrap, "upd", [
        "k1\t" + json.dumps({"v": "new1", "n": 10}), "k9\t" + json.dumps({"v": "x", "n": 9}),
        "k2\t" + json.dumps({"v": "new2"}), "k1\t" + json.dumps({"v": "newer", "n": 11})],
        key_delim="\t")
    msgs = [f"k{i}\t" + json.dumps({"v": f"v{i}"}) for i in range(10)]
    # Tombstones for k2 and k5, then k5 again and a new value for k3, in one batch.
    msgs += ["k2\t", "k5\t", "k5\t" + json.dumps({"v": "again"}),
             "k3\t" + json.dumps({"v": "updated"})]
    kcat_produce(kafka.bootstrap, "del", msgs, key_delim="\t", extra=["-Z"])
    for i in range(6):
        kcat_produce(kafka.bootstrap, "rec", [f"key{i}\t" + json.dumps({"id": i, "x": [i]})],
                     key_delim="\t", partition=i % 2, extra=["-H", f"h1=hv{i}", "-H", "h2=two"])
    kcat_produce(kafka.bootstrap, "rec", ["gone\t"], key_delim="\t", partition=0, extra=["-Z"])
    conns = [
        {"name": "del", "config": sink(pg, db, "del", insert_mode="upsert",
                                       pk_mode="record_key", pk_fields="k",
                                       delete_enabled="true")},
        {"name": "rec", "config": sink(pg, db, "rec", table_layout="record")},
        {"name": "upd", "config": sink(pg, db, "upd", insert_mode="update", pk_mode="record_key",
                                       pk_fields="k", auto_create="false")},
    ]
    w = start(build_dir, tmp_path, kafka, conns)
    try:
        wait_for(lambda: pg.sql("SELECT v FROM upd WHERE k = 'k1'", db) == [["newer"]], 60, 0.3,
                 "updates")
        wait_for(lambda: table_exists(pg, db, "del") and pg.sql(
            "SELECT v FROM del WHERE k = 'k3'", db) == [["updated"]], 60, 0.3, "deletes")
        wait_rows(pg, db, "rec", 7)
    finally:
        assert w.stop() == 0, w.logs()
    assert pg.sql("SELECT k, v, n FROM upd ORDER BY k", db) == [
        ["k1", "newer", "11"], ["k2", "new2", "2"], ["k3", "old3", "3"]]
    assert pg.sql("SELECT k, v FROM del ORDER BY k", db) == [
        ["k0", "v0"], ["k1", "v1"], ["k3", "updated"], ["k4", "v4"], ["k5", "again"],
        ["k6", "v6"], ["k7", "v7"], ["k8", "v8"], ["k9", "v9"]]

    consumed = {json.loads(m["payload"])["id"]: m for m in kcat_consume(kafka.bootstrap, "rec")
                if m["payload"]}
    assert len(consumed) == 6
    rows = pg.sql("SELECT record_content->>'id', record_metadata->>'topic', "
                  "record_metadata->>'partition', record_metadata->>'offset', "
                  "record_metadata->>'CreateTime', record_metadata->>'key', "
                  "record_metadata->'headers'->>'h1', record_metadata->'headers'->>'h2', "
                  "record_content->'x'->>0 FROM rec WHERE record_content IS NOT NULL", db)
    assert len(rows) == 6
    for cid, topic, part, off, ctime, key, h1, h2, x0 in rows:
        m = consumed[int(cid)]
        assert (topic, int(part), int(off)) == ("rec", m["partition"], m["offset"])
        assert int(ctime) == m["ts"]
        assert (key, h1, h2, x0) == (f"key{cid}", f"hv{cid}", "two", cid)
    types = dict(pg.sql("SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'rec'", db))
    assert types == {"record_metadata": "jsonb", "record_content": "jsonb"}
    # The tombstone is kept as metadata with a null content (behavior.on.null.values=default).
    assert pg.sql("SELECT record_metadata->>'key' FROM rec WHERE record_content IS NULL", db) \
        == [["gone"]]


def fnv_suffix(topic):
    h = 2166136261
    for b in topic.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return "%06x" % (h & 0xFFFFFF)


def test_table_names_and_validation(build_dir, kafka_mock_factory, tmp_path, pg, db):
    topics = ["my.topic", "my-topic", "9lives", "ok_name", "mapped"]
    kafka = kafka_mock_factory(topics=[f"{t}:1" for t in topics])
    for i, t in enumerate(topics):
        kcat_produce(kafka.bootstrap, t, [json.dumps({"n": i})])
    conf = sink(pg, db, ",".join(topics), topic2table_map="mapped:custom_table")
    w = start(build_dir, tmp_path, kafka, [{"name": "names", "config": conf}])
    expected = {"my.topic": "my_topic_" + fnv_suffix("my.topic"),
                "my-topic": "my_topic_" + fnv_suffix("my-topic"),
                "9lives": "_9lives", "ok_name": "ok_name", "mapped": "custom_table"}
    try:
        for i, t in enumerate(topics):
            wait_rows(pg, db, expected[t], 1, what=f"table {expected[t]} for topic {t}")
            assert pg.scalar(f'SELECT n FROM "{expected[t]}"', db) == str(i)

        # Typed definitions: validate reports every bad key, with the cross-field rules.
        bad = {"name": "v", "connector.class": SINK, "topics": "x", "connection.url": "mysql://nope",
               "insert.mode": "merge", "pk.mode": "bogus", "batch.size": "0",
               "buffer.flush.time": "soon", "topic2table.map": "a:b,nocolon",
               "table.layout": "rows"}
        r = w.request("PUT", f"/connector-plugins/{SINK}/config/validate", bad)
        assert r.status == 200, r
        errors = {c["value"]["name"]: c["value"]["errors"] for c in r.json["configs"]
                  if c["value"]["errors"]}
        for key in ["connection.url", "insert.mode", "pk.mode", "batch.size",
                    "buffer.flush.time", "topic2table.map", "table.layout"]:
            assert key in errors, (key, errors)
        assert r.json["error_count"] >= 7
        cross = dict(bad, **{"connection.url": pg.url(db), "insert.mode": "upsert",
                             "pk.mode": "none", "batch.size": "10", "buffer.flush.time": "5",
                             "topic2table.map": "", "table.layout": "columns",
                             "delete.enabled": "true"})
        r = w.request("PUT", f"/connector-plugins/{SINK}/config/validate", cross)
        errors = {c["value"]["name"]: c["value"]["errors"] for c in r.json["configs"]
                  if c["value"]["errors"]}
        assert set(errors) == {"pk.mode", "delete.enabled"}, errors
        # The password is a PASSWORD definition.
        defs = {c["definition"]["name"]: c["definition"] for c in r.json["configs"]}
        assert defs["connection.password"]["type"] == "PASSWORD"
    finally:
        assert w.stop() == 0, w.logs()


def test_flush_time_with_a_trickle(build_dir, kafka_mock_factory, tmp_path, pg, db):
    kafka = kafka_mock_factory(topics=["trickle:1"])
    conf = sink(pg, db, "trickle", buffer_flush_time="2", buffer_count_records="10000")
    w = start(build_dir, tmp_path, kafka, [{"name": "trickle", "config": conf}])
    try:
        kcat_produce(kafka.bootstrap, "trickle", [json.dumps({"n": 0})])
        wait_rows(pg, db, "trickle", 1, 60)  # includes the group join
        for n in (1, 2):
            kcat_produce(kafka.bootstrap, "trickle", [json.dumps({"n": n})])
            t0 = time.time()
            wait_rows(pg, db, "trickle", n + 1, 30)
            took = time.time() - t0
            print(f"\nrecord {n} visible after {took:.2f}s (buffer.flush.time=2)")
            # Buffered (not written at once), and flushed by time with no more records coming.
            assert took >= 1.5, took
            assert took < 10, took
    finally:
        assert w.stop() == 0, w.logs()


def rej_record(i):
    v = {"id": i, "v": i, "s": "ok"}
    kind = "good"
    if i % 50 == 7:
        v["v"], kind = -1, "check"
    elif i % 50 == 19:
        v["v"], kind = "abc", "type"
    elif i % 50 == 31:
        v["s"], kind = "far too long", "length"
    elif i % 50 == 43:
        v["v"], kind = None, "null"
    return json.dumps(v), kind


REASONS = {"check": "violates check constraint", "type": "invalid input syntax",
           "length": "too long", "null": "null value"}


def test_rejected_rows(build_dir, kafka_mock_factory, tmp_path, pg, db):
    total = 400
    for t in ("rejin", "strict_rejin"):
        pg.psql("-c", f'CREATE TABLE "{t}" (id bigint PRIMARY KEY, v integer NOT NULL '
                      "CHECK (v >= 0), s varchar(5))", db=db)
    kafka = kafka_mock_factory(topics=["rejin:1", "rej-dlq:1"])
    recs = [rej_record(i) for i in range(total)]
    kcat_produce(kafka.bootstrap, "rejin", [f"key{i}\t{v}" for i, (v, _) in enumerate(recs)],
                 key_delim="\t")
    bad = {i: kind for i, (_, kind) in enumerate(recs) if kind != "good"}
    conns = [
        {"name": "tolerant", "config": sink(pg, db, "rejin", auto_create="false",
                                            batch_size="64", rejected_table="rejects", **{
            "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "rej-dlq",
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true"})},
        {"name": "strict", "config": sink(pg, db, "rejin", auto_create="false",
                                          table_name_format="strict_${topic}")},
    ]
    w = start(build_dir, tmp_path, kafka, conns)
    try:
        wait_rows(pg, db, "rejin", total - len(bad))
        wait_rows(pg, db, "rejects", len(bad))

        def strict_failed():
            st = w.connector_state("strict")
            return st and st["tasks"] and st["tasks"][0]["state"] == "FAILED" and st["tasks"][0]
        task = wait_for(strict_failed, 60, 0.3, "strict task FAILED")
        dlq = wait_for(lambda: (lambda r: len(r) >= len(bad) and r)(
            kcat_consume(kafka.bootstrap, "rej-dlq")), 60, 1, "every bad record in the DLQ")
        assert w.connector_state("tolerant")["tasks"][0]["state"] == "RUNNING"
    finally:
        assert w.stop() == 0, w.logs()
    # errors.tolerance=none: the task fails with the database's message, naming the table,
    # and nothing of the batch is committed (no rows, no stored offset).
    assert '"strict_rejin"' in task["trace"] and "violates check constraint" in task["trace"], \
        task["trace"]
    assert "rejin-0@7" in task["trace"], task["trace"]
    assert count(pg, db, "strict_rejin") == 0
    assert pg.scalar("SELECT count(*) FROM __sluice_offsets WHERE connector = 'strict'", db) == "0"

    assert count(pg, db, "rejin") == total - len(bad)
    assert pg.scalar("SELECT count(*) FROM rejin WHERE id IN (%s)" %
                     ",".join(map(str, bad)), db) == "0"
    rows = pg.sql("SELECT topic, partition, \"offset\", key, value, reason, time IS NOT NULL "
                  "FROM rejects ORDER BY \"offset\"", db)
    assert [int(r[2]) for r in rows] == sorted(bad)
    for topic, part, off, key, value, reason, has_time in rows:
        i = int(off)
        assert (topic, part, key, has_time) == ("rejin", "0", f"key{i}", "t")
        assert json.loads(value) == json.loads(recs[i][0])
        assert REASONS[bad[i]] in reason and '"rejin"' in reason, (i, reason)
    assert len(dlq) == len(bad)
    for m in dlq:
        h = dict(zip(m["headers"][0::2], m["headers"][1::2]))
        i = int(h["__connect.errors.offset"])
        assert i in bad and h["__connect.errors.topic"] == "rejin"
        assert h["__connect.errors.stage"] == "TASK_PUT"
        assert REASONS[bad[i]] in h["__connect.errors.exception.message"]
        # The original bytes, also for records refused at a later flush (the record keeps its
        # consumed message alive while the sink holds it).
        assert m["payload"] == recs[i][0], (i, m)
        assert m["key"] == f"key{i}", (i, m)
    assert pg.scalar("SELECT next_offset FROM __sluice_offsets WHERE connector = 'tolerant'",
                     db) == str(total)


def test_exactly_once_across_sigkills(build_dir, kafka_mock_factory, tmp_path, pg, db):
    batches, per_batch = 24, 1000
    total = batches * per_batch
    kafka = kafka_mock_factory(topics=["eo:4"])
    stop = threading.Event()
    produced = []

    def produce():
        for b in range(batches):
            if stop.is_set():
                return
            kcat_produce(kafka.bootstrap, "eo", [json.dumps({"n": b * per_batch + i})
                                                for i in range(per_batch)],
                         extra=["-X", "sticky.partitioning.linger.ms=0"])
            produced.append(b)
            time.sleep(0.25)

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    rnd = random.Random(7)
    w = None
    try:
        for run in range(4):
            # A new consumer group each run: where to resume comes from the database alone.
            conf = sink(pg, db, "eo", table_layout="record", buffer_count_records="700",
                        tasks_max="2", **{"consumer.override.group.id": f"eo-{run}"})
            w = start(build_dir, tmp_path, kafka, [{"name": "eo", "config": conf}],
                      name=f"w{run}")
            if run == 3:
                break
            have = count(pg, db, "eo") if table_exists(pg, db, "eo") else 0
            # Kill once this run has written something (or everything is in already).
            wait_for(lambda: table_exists(pg, db, "eo") and (
                count(pg, db, "eo") > have or count(pg, db, "eo") == total), 60, 0.1,
                f"progress in run {run}")
            time.sleep(rnd.uniform(0.05, 0.6))
            w.kill()
            print(f"\nrun {run}: SIGKILL with {count(pg, db, 'eo')} rows")
        # The database side drops the sink's connections (mid-COPY or idle): it reconnects.
        for _ in range(3):
            killed = pg.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name LIKE 'sluice eo-%'", db)
            print(f"terminated {killed} sink connection(s) at {count(pg, db, 'eo')} rows")
            time.sleep(0.4)
        producer.join(60)
        assert len(produced) == batches
        # Once more with the load done: the next batch finds a dead connection.
        wait_rows(pg, db, "eo", total - per_batch, 90)
        pg.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  "WHERE application_name LIKE 'sluice eo-%'", db)
        kcat_produce(kafka.bootstrap, "eo", [json.dumps({"n": total + i})
                                            for i in range(per_batch)])
        total += per_batch
        wait_rows(pg, db, "eo", total, 90)
        time.sleep(2)  # anything duplicated would show up by now
    finally:
        stop.set()
        if w is not None:
            w.stop()
    assert count(pg, db, "eo") == total
    assert pg.scalar("SELECT count(DISTINCT (record_metadata->>'partition', "
                     "record_metadata->>'offset')) FROM eo", db) == str(total)
    assert pg.scalar("SELECT count(DISTINCT record_content->>'n') FROM eo", db) == str(total)
    assert pg.scalar("SELECT sum(next_offset) FROM __sluice_offsets WHERE connector = 'eo'",
                     db) == str(total)
    assert "retrying" in w.logs(), w.logs()
