"""DatagenConnector on a standalone worker against kafka-mock: every quickstart's shape (the
schema envelope of JsonConverter with schemas.enable=true) and count, a custom template file
with options/range/regex/iteration split over tasks.max=3 exactly, reproducibility with
random.seed, and resuming after a graceful stop (no repeats) and after SIGKILL (no gaps)."""
import collections
import json
import os
import re

from conftest import kcat_consume
from sluice import Worker, wait_for

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"


def datagen(name, topic, tasks=1, key_json=False, **extra):
    """A datagen connector config: schemaful JSON values, string (or JSON) keys."""
    conf = {"connector.class": "DatagenConnector", "kafka.topic": topic,
            "tasks.max": str(tasks), "max.interval": "0",
            "key.converter": JSON if key_json else STRING,
            "value.converter": JSON, "value.converter.schemas.enable": "true"}
    conf.update({k.replace("_", "."): str(v) for k, v in extra.items()})
    return {"name": name, "config": conf}


def consume(bootstrap, topic, count, timeout=30):
    """The topic's messages once it holds `count` (fails if it holds more), decoded: each a
    dict with key, headers (dict of str), schema and payload."""
    def full():
        ms = kcat_consume(bootstrap, topic)
        return ms if len(ms) >= count else None
    ms = wait_for(full, timeout, 0.3, f"{count} records in {topic}")
    assert len(ms) == count, f"{topic}: {len(ms)} records, want {count}"
    out = []
    for m in ms:
        value = json.loads(m["payload"])
        h = m.get("headers") or []
        out.append({"key": m["key"], "headers": dict(zip(h[0::2], h[1::2])),
                    "schema": value["schema"], "payload": value["payload"],
                    "partition": m["partition"]})
    return out


def fields(schema):
    """{field: (type, optional)} of a struct schema in the JSON envelope."""
    assert schema["type"] == "struct", schema
    return {f["field"]: (f["type"], f["optional"]) for f in schema["fields"]}


def test_quickstarts(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["users:2", "pageviews:2", "orders:2",
                                                  "trades:2", "trades-flat:1"])
    conns = [datagen("users", "users", quickstart="users", iterations=20),
             datagen("pageviews", "pageviews", quickstart="pageviews", iterations=20),
             datagen("orders", "orders", quickstart="orders", iterations=20, tasks=2),
             datagen("trades", "trades", quickstart="trades", iterations=40, key_json=True),
             # Debezium's unwrap SMT reads the envelope: deletes dropped, rows flattened.
             datagen("flat", "trades-flat", quickstart="trades", iterations=20,
                     transforms="unwrap",
                     transforms_unwrap_type="io.debezium.transforms.ExtractNewRecordState")]
    w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
    try:
        for c in ("users", "pageviews", "trades", "flat"):
            w.wait_running(c)
        w.wait_running("orders", tasks=2)

        users = consume(kafka.bootstrap, "users", 20)
        s = users[0]["schema"]
        assert s["name"] == "ksql.users" and not s["optional"]
        assert fields(s) == {"registertime": ("int64", False), "userid": ("string", False),
                             "regionid": ("string", False), "gender": ("string", False)}
        for m in users:
            p = m["payload"]
            assert m["key"] == p["userid"]  # keyed by the quickstart's key field
            assert p["gender"] in ("MALE", "FEMALE", "OTHER")
            assert p["userid"].startswith("User_") and p["regionid"].startswith("Region_")
            assert 1487715775521 <= p["registertime"] < 1519273364600

        views = consume(kafka.bootstrap, "pageviews", 20)
        assert fields(views[0]["schema"]) == {"viewtime": ("int64", False),
                                              "userid": ("string", False),
                                              "pageid": ("string", False)}
        assert sorted(m["payload"]["viewtime"] for m in views) == [1 + 10 * n for n in range(20)]
        assert all(m["key"] == str(m["payload"]["viewtime"]) for m in views)

        orders = consume(kafka.bootstrap, "orders", 20)
        f = fields(orders[0]["schema"])
        assert {k: v for k, v in f.items() if k != "address"} == {
            "ordertime": ("int64", False), "orderid": ("int32", False),
            "itemid": ("string", False), "orderunits": ("double", False)}
        address = next(x for x in orders[0]["schema"]["fields"] if x["field"] == "address")
        assert fields(address) == {"city": ("string", False), "state": ("string", False),
                                   "zipcode": ("int64", False)}
        # Two tasks split the 20 orders: ids 0..19 once each, task i making i, i+2, ...
        assert sorted(m["payload"]["orderid"] for m in orders) == list(range(20))
        for m in orders:
            assert m["payload"]["orderid"] % 2 == int(m["headers"]["task.id"])
            assert 0.1 <= m["payload"]["orderunits"] < 10.0
            assert 10000 <= m["payload"]["address"]["zipcode"] < 99999

        trades = consume(kafka.bootstrap, "trades", 40)
        env = trades[0]["schema"]
        assert env["name"] == "datagen.trades.Envelope"
        f = fields(env)
        assert f["before"] == ("struct", True) and f["after"] == ("struct", True)
        assert f["source"] == ("struct", False) and f["op"] == ("string", False)
        assert f["ts_ms"] == ("int64", True)
        row = next(x for x in env["fields"] if x["field"] == "after")
        assert fields(row) == {"id": ("int64", False), "symbol": ("string", False),
                               "side": ("string", False), "account": ("string", False),
                               "userid": ("string", False), "quantity": ("int32", False),
                               "price": ("int32", False)}
        # Each key's events, in partition order (one key, one partition): create, update,
        # update, delete, each before = the previous after.
        by_key = collections.defaultdict(list)
        for m in sorted(trades, key=lambda m: int(m["headers"]["current.iteration"])):
            key = json.loads(m["key"])
            assert key["schema"]["name"] == "datagen.trades.Key"
            by_key[key["payload"]["id"]].append(m["payload"])
        assert sorted(by_key) == list(range(1, 11))
        for rid, events in by_key.items():
            assert [e["op"] for e in events] == ["c", "u", "u", "d"], (rid, events)
            assert events[0]["before"] is None and events[-1]["after"] is None
            for prev, cur in zip(events, events[1:]):
                assert cur["before"] == prev["after"]
            assert all(e["source"]["table"] == "trades" for e in events)
            assert events[0]["after"]["id"] == rid

        flat = consume(kafka.bootstrap, "trades-flat", 15)  # 20 events less 5 deletes
        assert fields(flat[0]["schema"]) == fields(row)
        assert flat[0]["schema"]["name"] == "datagen.trades.Value"
        assert sorted({m["payload"]["id"] for m in flat}) == [1, 2, 3, 4, 5]

        # Validation through REST: Confluent's rule of exactly one schema source.
        body = dict(conns[0]["config"], **{"name": "users", "schema.string": '{"type": "record"}'})
        r = w.request("PUT", "/connector-plugins/DatagenConnector/config/validate", body)
        assert r.status == 200, r
        bad = {c["value"]["name"]: c["value"]["errors"] for c in r.json["configs"]
               if c["value"]["errors"]}
        assert set(bad) == {"quickstart", "schema.string"}, bad
    finally:
        assert w.stop() == 0, w.logs()


TEMPLATE = {
    "type": "record", "name": "reading", "namespace": "test.datagen",
    "fields": [
        {"name": "seq", "type": {"type": "long",
                                 "arg.properties": {"iteration": {"start": 1000, "step": 2}}}},
        {"name": "sensor", "type": {"type": "string",
                                    "arg.properties": {"options": ["s-1", "s-2", "s-3"]}}},
        {"name": "celsius", "type": {"type": "double",
                                     "arg.properties": {"range": {"min": -10, "max": 40}}}},
        {"name": "level", "type": {"type": "int",
                                   "arg.properties": {"range": {"min": 1, "max": 4}}}},
        {"name": "site", "type": {"type": "string",
                                  "arg.properties": {"regex": "site-[a-c][0-9]{2}"}}},
        {"name": "note", "type": ["null", "string"]},
    ]}


def test_custom_template_split_and_seed(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["readings:3", "seeded-a:1", "seeded-b:1"])
    path = tmp_path / "reading.avsc"
    path.write_text(json.dumps(TEMPLATE))
    small = dict(TEMPLATE, fields=TEMPLATE["fields"][:4])
    conns = [datagen("readings", "readings", tasks=3, iterations=31,
                     schema_filename=str(path), schema_keyfield="seq"),
             # The same seed twice, split differently: the same records.
             datagen("seeded-a", "seeded-a", iterations=12, random_seed=1234,
                     schema_string=json.dumps(small)),
             datagen("seeded-b", "seeded-b", tasks=2, iterations=12, random_seed=1234,
                     schema_string=json.dumps(small))]
    w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
    try:
        w.wait_running("readings", tasks=3)
        ms = consume(kafka.bootstrap, "readings", 31)
        s = ms[0]["schema"]
        assert s["name"] == "test.datagen.reading"
        assert fields(s) == {"seq": ("int64", False), "sensor": ("string", False),
                             "celsius": ("double", False), "level": ("int32", False),
                             "site": ("string", False), "note": ("string", True)}
        seqs = sorted(m["payload"]["seq"] for m in ms)
        assert seqs == [1000 + 2 * n for n in range(31)]  # no repeat, no gap over 3 tasks
        per_task = collections.Counter(m["headers"]["task.id"] for m in ms)
        assert per_task == {"0": 11, "1": 10, "2": 10}
        levels = set()
        for m in ms:
            p = m["payload"]
            assert m["key"] == str(p["seq"])
            assert p["sensor"] in ("s-1", "s-2", "s-3")
            assert -10 <= p["celsius"] < 40
            assert 1 <= p["level"] < 4
            levels.add(p["level"])
            assert len(p["site"]) == 8 and p["site"][:6] in ("site-a", "site-b", "site-c")
            assert p["site"][6:].isdigit()
            # (seq - 1000) / 2 is the record's global number n; task n mod 3 made it.
            assert (p["seq"] - 1000) // 2 % 3 == int(m["headers"]["task.id"])
        assert levels == {1, 2, 3}
        assert any(m["payload"]["note"] is None for m in ms)
        assert any(m["payload"]["note"] is not None for m in ms)

        a = {m["payload"]["seq"]: m["payload"] for m in consume(kafka.bootstrap, "seeded-a", 12)}
        b = {m["payload"]["seq"]: m["payload"] for m in consume(kafka.bootstrap, "seeded-b", 12)}
        assert a == b and len(a) == 12
        assert len({p["celsius"] for p in a.values()}) == 12  # random, not constant
    finally:
        assert w.stop() == 0, w.logs()


def restart_run(build_dir, kafka, tmp_path, kill):
    """Run 240 iterations over 2 paced tasks (about 40 records/s in all), interrupting the
    worker once mid-run (SIGTERM, or SIGKILL when `kill`); returns the seq numbers found in the
    topic at the end."""
    total = 240
    conns = [datagen("gen", "gen", tasks=2, iterations=total, max_interval=100,
                     schema_string=json.dumps(dict(TEMPLATE, fields=TEMPLATE["fields"][:2])))]
    w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
    try:
        w.wait_running("gen", tasks=2)
        # Interrupt a couple of offset flushes (one a second) into the run.
        wait_for(lambda: len(kcat_consume(kafka.bootstrap, "gen")) >= 80, 30, 0.2,
                 "80 records before the interruption")
        old, w = w, None  # the finally below only stops a live worker
        if kill:
            old.kill()
            old.stop()  # reaps the killed process and closes its log
        else:
            assert old.stop() == 0, old.logs()
        before = len(kcat_consume(kafka.bootstrap, "gen"))
        assert before < total, "the run finished before it was interrupted"
        w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
        w.wait_running("gen", tasks=2)

        def finished():
            with open(w.log_path, errors="replace") as f:
                log = f.read()
            return all(f"DatagenTask gen-{t} generated its 120 records" in log for t in (0, 1))
        wait_for(finished, 30, 0.3, "both tasks to finish their share")
        # Idle tasks stay idle: give a late record a chance to show up, then count.
        last = None

        def stable():
            nonlocal last
            now = len(kcat_consume(kafka.bootstrap, "gen"))
            done = now == last
            last = now
            return done
        wait_for(stable, 15, 0.5, "the topic to stop growing")
        seqs = [json.loads(m["payload"])["payload"]["seq"] for m in kcat_consume(kafka.bootstrap,
                                                                                  "gen")]
        resumed = resumed_at(tmp_path)
        print(f"\n{'SIGKILL' if kill else 'SIGTERM'} after {before} records: tasks resumed at "
              f"{resumed}; {len(seqs)} in the topic, {len(set(seqs))} distinct")
        # The restarted tasks continued from their stored offsets instead of starting over.
        assert sorted(resumed) == [0, 1] and all(n > 0 for n in resumed.values()), resumed
        return seqs
    finally:
        if w is not None:
            assert w.stop() == 0, w.logs()


def test_graceful_stop_resumes_exactly(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["gen:2"])
    seqs = restart_run(build_dir, kafka, tmp_path, kill=False)
    # Everything sent before the stop was acknowledged and its offset stored, so the restarted
    # tasks went on from there: every iteration exactly once.
    assert sorted(seqs) == [1000 + 2 * n for n in range(240)]


def test_sigkill_resumes_without_gaps(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["gen:2"])
    seqs = restart_run(build_dir, kafka, tmp_path, kill=True)
    # At least once: records after the last offset flush are produced again, none is lost.
    assert set(seqs) == {1000 + 2 * n for n in range(240)}
    assert len(seqs) >= 240


def resumed_at(tmp_path):
    """{task: iteration} each task of the restarted worker said it resumed at."""
    with open(os.path.join(tmp_path, "worker.log"), errors="replace") as f:
        log = f.read()
    return {int(t): int(n) for t, n in re.findall(
        r"DatagenTask gen-(\d+) generating \S+ to topic gen: resuming at iteration (\d+)", log)}
