"""Transform chains end to end: a CDC unwrap (ExtractNewRecordState) from Debezium-style JSON
envelopes into a file sink, and RegexRouter + TimestampRouter renaming a source's topic."""
import datetime
import json

from conftest import kcat_consume, kcat_produce
from sluice import Worker, wait_for


def envelope(op, before, after, ts):
    return json.dumps({"before": before, "after": after, "op": op, "ts_ms": ts,
                       "source": {"db": "shop", "table": "users", "ts_ms": ts - 5}})


def test_cdc_unwrap_into_file_sink(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["cdc.shop.users:1"])
    events = [
        envelope("r", None, {"id": 1, "name": "ann"}, 1000),
        envelope("c", None, {"id": 2, "name": "bob"}, 1001),
        envelope("u", {"id": 1, "name": "ann"}, {"id": 1, "name": "anne"}, 1002),
        envelope("d", {"id": 2, "name": "bob"}, None, 1003),
        envelope("c", None, {"id": 3, "name": "cy"}, 1004),
    ]
    kcat_produce(kafka.bootstrap, "cdc.shop.users", events)
    out = tmp_path / "rows.txt"
    conf = {
        "connector.class": "FileStreamSink", "file": str(out), "topics": "cdc.shop.users",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "transforms": "unwrap",
        "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
        "transforms.unwrap.delete.handling.mode": "rewrite",
        "transforms.unwrap.add.fields": "op,table",
    }
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "cdc-sink", "config": conf}])
    w.start()
    try:
        w.wait_running("cdc-sink")
        wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 5, 30, 0.5,
                 "five unwrapped rows")
    finally:
        assert w.stop() == 0, w.logs()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [
        {"id": 1, "name": "ann", "__op": "r", "__table": "users", "__deleted": "false"},
        {"id": 2, "name": "bob", "__op": "c", "__table": "users", "__deleted": "false"},
        {"id": 1, "name": "anne", "__op": "u", "__table": "users", "__deleted": "false"},
        # A delete becomes the "before" row marked deleted (delete.handling.mode=rewrite).
        {"id": 2, "name": "bob", "__op": "d", "__table": "users", "__deleted": "true"},
        {"id": 3, "name": "cy", "__op": "c", "__table": "users", "__deleted": "false"},
    ]


def test_cdc_unwrap_drops_deletes_by_default(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["cdc.drop:1"])
    kcat_produce(kafka.bootstrap, "cdc.drop", [
        envelope("c", None, {"id": 1}, 1), envelope("d", {"id": 1}, None, 2),
        envelope("c", None, {"id": 2}, 3)])
    out = tmp_path / "rows.txt"
    conf = {"connector.class": "FileStreamSink", "file": str(out), "topics": "cdc.drop",
            "value.converter": "JsonConverter", "value.converter.schemas.enable": "false",
            "transforms": "unwrap",
            "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState"}
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "cdc-drop", "config": conf}])
    w.start()
    try:
        w.wait_running("cdc-drop")
        wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 2, 30, 0.5,
                 "two rows")
    finally:
        assert w.stop() == 0, w.logs()
    assert [json.loads(line) for line in out.read_text().splitlines()] == [{"id": 1}, {"id": 2}]


def test_regex_and_timestamp_router_on_source(build_dir, kafka_mock_factory, tmp_path):
    # TimestampRouter formats the record timestamp (FileStreamSource stamps records with the
    # time they were read) in UTC, as Connect's does.
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    routed = f"clean-events-{today}"
    kafka = kafka_mock_factory(topics=["raw-events:1", f"{routed}:1"])
    src = tmp_path / "in.txt"
    src.write_text("alpha\nbeta\ngamma\n")
    conf = {
        "connector.class": "FileStreamSource", "file": str(src), "topic": "raw-events",
        "transforms": "route,stamp",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "raw-(.*)",
        "transforms.route.replacement": "clean-$1",
        "transforms.stamp.type": "org.apache.kafka.connect.transforms.TimestampRouter",
        "transforms.stamp.topic.format": "${topic}-${timestamp}",
        "transforms.stamp.timestamp.format": "yyyyMMdd",
    }
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "routed-src", "config": conf}])
    w.start()
    try:
        w.wait_running("routed-src")
        recs = wait_for(lambda: (lambda r: len(r) == 3 and r)(
            kcat_consume(kafka.bootstrap, routed)), 30, 0.5, f"three records in {routed}")
    finally:
        assert w.stop() == 0, w.logs()
    assert [r["payload"] for r in recs] == ["alpha", "beta", "gamma"]
    assert all(r["topic"] == routed for r in recs)
    # Nothing went to the original topic.
    assert kcat_consume(kafka.bootstrap, "raw-events") == []
