"""tests/system/test_kafka_mock.py: the standalone kafka-mock cluster: real clients (kcat)
produce and consume through it, its stdin commands answer, and it shuts down cleanly."""
import signal
import subprocess

import pytest

from conftest import kcat_consume, kcat_metadata, kcat_produce


@pytest.mark.kafka_mock(brokers=3, topics=["orders:3"])
def test_produce_and_consume_1000(kafka_mock):
    sent = [f"message-{i:04d}" for i in range(1000)]
    kcat_produce(kafka_mock.bootstrap, "orders", sent)
    got = kcat_consume(kafka_mock.bootstrap, "orders")
    assert len(got) == 1000
    assert sorted(m["payload"] for m in got) == sent
    assert {m["partition"] for m in got} <= {0, 1, 2}
    # offsets are dense per partition
    for p in {m["partition"] for m in got}:
        offs = sorted(m["offset"] for m in got if m["partition"] == p)
        assert offs == list(range(len(offs)))


@pytest.mark.kafka_mock(brokers=2, topics=["pre:5", "plain"])
def test_bootstrap_and_precreated_topics(kafka_mock):
    hosts = kafka_mock.bootstrap.split(",")
    assert len(hosts) == 2
    assert all(h.startswith("127.0.0.1:") for h in hosts)
    assert len(set(hosts)) == 2
    md = kcat_metadata(kafka_mock.bootstrap)
    assert len(md["brokers"]) == 2
    topics = {t["topic"]: t for t in md["topics"]}
    assert len(topics["pre"]["partitions"]) == 5
    assert len(topics["plain"]["partitions"]) == 4  # default partition count
    # replication factor min(3, brokers)
    assert all(len(p["replicas"]) == 2 for p in topics["pre"]["partitions"])


def test_commands(kafka_mock):
    assert kafka_mock.command("down 1") == "ok"
    assert kafka_mock.command("up 1") == "ok"
    assert kafka_mock.command("down -1") == "ok"
    assert kafka_mock.command("up -1") == "ok"
    assert kafka_mock.command("rtt 2 5") == "ok"
    assert kafka_mock.command("rtt 2 0") == "ok"
    assert kafka_mock.command("topic extra 2") == "ok"
    assert kafka_mock.command("topic extra 2").startswith("error:")  # already exists
    assert kafka_mock.command("leader extra 0 2") == "ok"
    assert kafka_mock.command("coordinator group g1 3") == "ok"
    assert kafka_mock.command("help").startswith("ok ")
    # hostile or malformed input is answered, never fatal
    for bad in ["down", "down 9", "down x", "up 1 2", "rtt 1 -5", "rtt 1", "topic", "topic a/b 2",
                "topic t 0", "topic t 99999", "leader extra -1 1", "coordinator nope g 1",
                "coordinator group g 0", "frobnicate", "x" * 5000, "\x00\x01\x02",
                "down 99999999999999999999"]:
        reply = kafka_mock.command(bad)
        assert reply.startswith("error:"), (bad[:40], reply)
    # the cluster still works after the fault injection
    kcat_produce(kafka_mock.bootstrap, "extra", [f"v{i}" for i in range(10)])
    got = kcat_consume(kafka_mock.bootstrap, "extra")
    assert sorted(m["payload"] for m in got) == sorted(f"v{i}" for i in range(10))
    assert {m["partition"] for m in got} <= {0, 1}


def test_stdin_eof_shuts_down(kafka_mock):
    assert kafka_mock.command("help").startswith("ok")
    kafka_mock.close_stdin()
    assert kafka_mock.proc.wait(timeout=10) == 0
    assert "stdin closed" in kafka_mock.log()


def test_quit_and_sigterm(kafka_mock_factory):
    m = kafka_mock_factory(brokers=1)
    assert m.command("quit") == "ok"
    assert m.proc.wait(timeout=10) == 0
    m = kafka_mock_factory(brokers=1)
    m.proc.send_signal(signal.SIGTERM)
    assert m.proc.wait(timeout=10) == 0
    m = kafka_mock_factory(brokers=1)
    m.proc.send_signal(signal.SIGINT)
    assert m.proc.wait(timeout=10) == 0


def test_bad_arguments(build_dir):
    binary = str(build_dir / "bin" / "kafka-mock")
    for args, rc in [(["--brokers", "0"], 2), (["--brokers", "x"], 2), (["--bogus"], 2),
                     (["extra"], 2), (["--topic", "bad/name"], 1), (["--topic", "t:0"], 1),
                     (["--topic", "t:abc"], 1)]:
        r = subprocess.run([binary] + args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=10)
        assert r.returncode == rc, (args, r.stderr)
        assert r.stdout == b"", args  # no bootstrap line when it did not start
        assert r.stderr, args
    r = subprocess.run([binary, "--help"], capture_output=True, timeout=10)
    assert r.returncode == 0 and b"usage" in r.stdout
