"""VerifiableSource -> Kafka -> VerifiableSink on a standalone worker, counted exactly: every
seqno each source task produced reaches the sink (lost = 0), duplicates are reported, and after
a SIGKILL mid-stream the source resumes from its stored offsets without a gap."""
import os
import re

from sluice import Worker, wait_for
from verifiable_counts import TOPIC, check, pause_source, sink_seen

SOURCE_TASKS = 3
JSON = "org.apache.kafka.connect.json.JsonConverter"


def connectors(tmp_path, complete):
    """The source with struct values (complete.record.data) through schemaful JSON, or Kafka's
    default INT32 key / INT64 seqno through schemaless JSON; the sink reads either."""
    conv = {"key.converter": JSON, "key.converter.schemas.enable": "false",
            "value.converter": JSON, "value.converter.schemas.enable": str(complete).lower()}
    return [
        {"name": "vsource", "config": dict(conv, **{
            "connector.class": "VerifiableSource", "tasks.max": str(SOURCE_TASKS),
            "topic": TOPIC, "throughput": "100", "complete.record.data": str(complete).lower()})},
        {"name": "vsink", "config": dict(conv, **{
            "connector.class": "org.apache.kafka.connect.tools.VerifiableSinkConnector",
            "tasks.max": "2", "topics": TOPIC, "file": str(tmp_path / "sink-{task}.jsonl")})},
    ]


def test_verifiable_counts_and_sigkill_resume(build_dir, kafka_mock_factory, tmp_path):
    # 100 records/s per task keeps each partition far below the mock's per-partition log cap
    # (librdkafka's mock drops the oldest batches past a few MB, which would look like loss).
    kafka = kafka_mock_factory(topics=[f"{TOPIC}:8"])
    conns = connectors(tmp_path, complete=True)
    w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
    try:
        w.wait_running("vsource", tasks=SOURCE_TASKS)
        w.wait_running("vsink", tasks=2)
        wait_for(lambda: all(len(sink_seen(tmp_path)[t]) >= 300 for t in range(SOURCE_TASKS)),
                 60, 0.5, "300 seqnos per source task in the sink")
        pause_source(w)
        before = check(tmp_path, kafka.bootstrap, "steady", SOURCE_TASKS)

        # Mid-stream crash: resume, let offsets be flushed a few times, SIGKILL.
        assert w.request("PUT", "/connectors/vsource/resume").status == 202
        wait_for(lambda: all(max(sink_seen(tmp_path)[t]) >= before[t] + 250
                             for t in range(SOURCE_TASKS)), 60, 0.5, "progress after resume")
        w.kill()
        at_kill = {t: max(s) for t, s in sink_seen(tmp_path).items()}
        log_mark = os.path.getsize(w.log_path)  # the restarted worker appends to the same log

        w = Worker(build_dir, tmp_path, kafka.bootstrap, conns).start()
        w.wait_running("vsource", tasks=SOURCE_TASKS)
        w.wait_running("vsink", tasks=2)
        wait_for(lambda: all(max(sink_seen(tmp_path)[t]) >= at_kill[t] + 250
                             for t in range(SOURCE_TASKS)), 60, 0.5, "progress after restart")
        pause_source(w)
        after = check(tmp_path, kafka.bootstrap, "after SIGKILL", SOURCE_TASKS)
        assert all(after[t] > at_kill[t] for t in range(SOURCE_TASKS))
        with open(w.log_path, "rb") as f:
            f.seek(log_mark)
            log = f.read().decode(errors="replace")
        resumed = {int(t): int(s) for t, s in re.findall(
            r"Started VerifiableSourceTask vsource-(\d+) producing to topic \S+ resuming from "
            r"seqno (\d+)", log)}
        print(f"\nSIGKILL: sink had seqnos up to {at_kill}; source resumed at {resumed}")
        # Each restarted task read the offsets flushed after the resume (one flush a second,
        # 2.5 seconds of data before the kill): it neither began again at 0 nor at the pause.
        assert sorted(resumed) == list(range(SOURCE_TASKS)), log
        assert all(resumed[t] > before[t] + 1 for t in resumed), (before, resumed)
    finally:
        assert w.stop() == 0, w.logs()


def test_verifiable_kafka_default_form(build_dir, kafka_mock_factory, tmp_path):
    """Kafka's default records (key = INT32 task, value = INT64 seqno) count the same way."""
    kafka = kafka_mock_factory(topics=[f"{TOPIC}:2"])
    w = Worker(build_dir, tmp_path, kafka.bootstrap, connectors(tmp_path, complete=False)).start()
    try:
        w.wait_running("vsource", tasks=SOURCE_TASKS)
        wait_for(lambda: all(len(sink_seen(tmp_path)[t]) >= 150 for t in range(SOURCE_TASKS)),
                 60, 0.5, "150 seqnos per source task in the sink")
        pause_source(w)
        check(tmp_path, kafka.bootstrap, "default form", SOURCE_TASKS)
        # Each sink task wrote its own file ({task} substitution); which tasks got data
        # depends on how the keys hash over the partitions.
        assert sorted(os.listdir(tmp_path)).count("sink-0.jsonl") == 1
        assert os.path.exists(tmp_path / "sink-1.jsonl")
    finally:
        assert w.stop() == 0, w.logs()
