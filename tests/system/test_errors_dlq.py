"""Error handling on the sink path: errors.tolerance=all with a dead-letter topic and context
headers (malformed JSON and a failing Cast among 10,000 records), errors.tolerance=none failing
the task at the first bad record without committing past it, and errors.restart.enable."""
import json
import time

from conftest import kcat_consume, kcat_produce
from sluice import Worker, wait_for

TOTAL = 10000
CAST = "org.apache.kafka.connect.transforms.Cast$Value"
JSON = "org.apache.kafka.connect.json.JsonConverter"


def record_for(i):
    """(key, value, kind): every 97th value is malformed JSON, every 101st has an "n" that
    Cast cannot turn into an int32; the rest are good."""
    if i % 97 == 5:
        return f"k{i}", '{"id": %d, "n": ' % i, "malformed"
    if i % 101 == 7:
        return f"k{i}", json.dumps({"id": i, "n": f"x{i}"}), "cast"
    return f"k{i}", json.dumps({"id": i, "n": str(i)}), "good"


def sink_config(tmp_path, topic, out, **extra):
    conf = {
        "connector.class": "FileStreamSink", "file": str(tmp_path / out), "topics": topic,
        "value.converter": JSON, "value.converter.schemas.enable": "false",
        "transforms": "cast", "transforms.cast.type": CAST, "transforms.cast.spec": "n:int32",
    }
    conf.update(extra)
    return conf


def headers_of(rec):
    """kcat -J prints headers as a flat [k1, v1, k2, v2, ...] list."""
    h = rec.get("headers") or []
    return dict(zip(h[0::2], h[1::2]))


def lines(path):
    return path.read_text().splitlines() if path.exists() else []


def test_tolerance_all_dead_letter_queue(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["err-in:1"])
    recs = [record_for(i) for i in range(TOTAL)]
    kcat_produce(kafka.bootstrap, "err-in", [f"{k}\t{v}" for k, v, _ in recs], key_delim="\t")
    good = {i for i, r in enumerate(recs) if r[2] == "good"}
    bad = {i: r for i, r in enumerate(recs) if r[2] != "good"}
    assert len(bad) > 150 and {r[2] for r in bad.values()} == {"malformed", "cast"}

    conf = sink_config(tmp_path, "err-in", "out.txt", **{
        "errors.tolerance": "all", "errors.log.enable": "true",
        "errors.deadletterqueue.topic.name": "err-dlq",
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"})
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "dlq-sink", "config": conf}])
    w.start()
    try:
        w.wait_running("dlq-sink")
        out = tmp_path / "out.txt"
        wait_for(lambda: len(lines(out)) >= len(good), 90, 0.5, "every good record in the file")
        dlq = wait_for(lambda: (lambda r: len(r) >= len(bad) and r)(
            kcat_consume(kafka.bootstrap, "err-dlq")), 60, 1, "every bad record in the DLQ")
        # The task kept running through all of it.
        st = w.connector_state("dlq-sink")
        assert st["tasks"][0]["state"] == "RUNNING", st
    finally:
        assert w.stop() == 0, w.logs()

    written = [json.loads(line) for line in lines(out)]
    assert len(written) == len(good)
    assert {r["id"] for r in written} == good
    assert all(r["n"] == r["id"] and isinstance(r["n"], int) for r in written)

    assert len(dlq) == len(bad)
    assert len(written) + len(dlq) == TOTAL
    seen = set()
    for rec in dlq:
        h = headers_of(rec)
        off = int(h["__connect.errors.offset"])
        key, value, kind = bad[off]
        seen.add(off)
        # The dead letter carries the original bytes as consumed.
        assert rec["key"] == key and rec["payload"] == value
        assert h["__connect.errors.topic"] == "err-in"
        assert h["__connect.errors.partition"] == "0"
        assert h["__connect.errors.connector.name"] == "dlq-sink"
        assert h["__connect.errors.task.id"] == "0"
        if kind == "malformed":
            assert h["__connect.errors.stage"] == "VALUE_CONVERTER"
            assert h["__connect.errors.class.name"] == JSON
        else:
            assert h["__connect.errors.stage"] == "TRANSFORMATION"
            assert h["__connect.errors.class.name"] == CAST
        assert h["__connect.errors.exception.class.name"] == \
            "org.apache.kafka.connect.errors.DataException"
        assert h["__connect.errors.exception.message"]
        assert h["__connect.errors.exception.stacktrace"].startswith(
            "org.apache.kafka.connect.errors.DataException: ")
    assert seen == set(bad)
    log = w.logs()
    assert "Error encountered in task dlq-sink-0" in log or "error handling totals" in log


def test_tolerance_none_fails_without_committing_past(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["none-in:1"])
    first = [json.dumps({"id": i, "n": str(i)}) for i in range(300)]
    kcat_produce(kafka.bootstrap, "none-in", first)
    conf = sink_config(tmp_path, "none-in", "out.txt")
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "strict-sink", "config": conf}],
               name="w1")
    w.start()
    out = tmp_path / "out.txt"
    try:
        w.wait_running("strict-sink")
        wait_for(lambda: len(lines(out)) == 300, 60, 0.5, "the first 300 records")
        # Offset 300 is malformed; good records follow it.
        rest = ['{"id": 300, "n": '] + [json.dumps({"id": i, "n": str(i)})
                                        for i in range(301, 400)]
        kcat_produce(kafka.bootstrap, "none-in", rest)

        def failed():
            st = w.connector_state("strict-sink")
            return st and st["tasks"] and st["tasks"][0]["state"] == "FAILED" and st["tasks"][0]
        task = wait_for(failed, 60, 0.5, "task FAILED")
        assert "Tolerance exceeded in error handler" in task["trace"]
        assert "VALUE_CONVERTER" in task["trace"]
        assert "offset 300" in task["trace"]
        time.sleep(1.5)  # past an offset flush interval: nothing more may be written
        assert len(lines(out)) == 300
    finally:
        assert w.stop() == 0, w.logs()

    # Nothing at or after the bad record was committed: a second run (now tolerating errors,
    # with a DLQ) starts exactly at offset 300, so the bad record is dead-lettered and the good
    # ones after it are written once.
    conf2 = dict(conf, **{"errors.tolerance": "all", "errors.deadletterqueue.topic.name":
                          "none-dlq", "errors.deadletterqueue.topic.replication.factor": "1",
                          "errors.deadletterqueue.context.headers.enable": "true"})
    w2 = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "strict-sink", "config": conf2}],
                name="w2")
    w2.start()
    try:
        w2.wait_running("strict-sink")
        wait_for(lambda: len(lines(out)) >= 399, 60, 0.5, "the records after the bad one")
        dlq = wait_for(lambda: kcat_consume(kafka.bootstrap, "none-dlq"), 60, 1, "the DLQ record")
    finally:
        assert w2.stop() == 0, w2.logs()
    ids = [json.loads(line)["id"] for line in lines(out)]
    assert ids == list(range(300)) + list(range(301, 400))
    assert len(dlq) == 1
    assert headers_of(dlq[0])["__connect.errors.offset"] == "300"
    assert dlq[0]["payload"] == '{"id": 300, "n": '


def test_restart_enable_restarts_failed_task(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["restart-in:1"])
    outdir = tmp_path / "later"
    conf = {"connector.class": "FileStreamSink", "file": str(outdir / "out.txt"),
            "topics": "restart-in", "errors.restart.enable": "true",
            "errors.restart.max.delay.ms": "2000"}
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [{"name": "phoenix", "config": conf}])
    w.start()
    try:
        def failed():
            st = w.connector_state("phoenix")
            return st and st["tasks"] and st["tasks"][0]["state"] == "FAILED" and st["tasks"][0]
        task = wait_for(failed, 30, 0.1, "task FAILED (no output directory yet)")
        assert "will be restarted automatically in" in task["trace"], task
        # It keeps failing (1 s, then 2 s, capped at 2 s) until the directory appears.
        time.sleep(3.5)
        outdir.mkdir()
        w.wait_running("phoenix", timeout=30)
        kcat_produce(kafka.bootstrap, "restart-in", ["one", "two", "three"])
        wait_for(lambda: lines(outdir / "out.txt") == ["one", "two", "three"], 30, 0.5,
                 "records written after the restart")
        log = w.logs()
        assert "restarting the failed task (restart 1)" in log
        assert "restarting the failed task (restart 2)" in log
    finally:
        assert w.stop() == 0, w.logs()
