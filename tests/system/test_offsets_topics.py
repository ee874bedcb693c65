"""A standalone worker's connector offsets (KIP-875) and active topics (KIP-558) over REST:
FileStreamSource and FileStreamSink offsets are read, refused while running, altered and reset
while stopped, and the connectors continue from the new positions; /topics lists what each
connector used and /topics/reset empties it."""
import os

from conftest import kcat_consume, kcat_produce
from sluice import Worker, wait_for

ALTERED = ("The Connect framework-managed offsets for this connector have been altered "
           "successfully. However, if this connector manages offsets externally, they will need "
           "to be manually altered in the system that the connector uses.")
RESET = ("The Connect framework-managed offsets for this connector have been reset "
         "successfully. However, if this connector manages offsets externally, they will need "
         "to be manually reset in the system that the connector uses.")


def stopped_msg(name):
    return ("Connectors must be in the STOPPED state before their offsets can be modified. This "
            "can be done for the specified connector by issuing a 'PUT' request to the "
            f"'/connectors/{name}/stop' endpoint")


def offsets(w, name):
    r = w.get(f"/connectors/{name}/offsets")
    assert r.status == 200, r
    return r.json["offsets"]


def stop(w, name):
    assert w.request("PUT", f"/connectors/{name}/stop").status == 204

    def stopped():
        st = w.connector_state(name)
        return st and st["connector"]["state"] == "STOPPED" and st["tasks"] == []
    wait_for(stopped, 30, what=f"{name} STOPPED")


def resume(w, name):
    assert w.request("PUT", f"/connectors/{name}/resume").status == 202
    w.wait_running(name)


def topic_values(bootstrap, topic):
    return [m["payload"] for m in kcat_consume(bootstrap, topic)]


def expect_topics(w, name, topics, timeout=20):
    want = {name: {"topics": topics}}
    wait_for(lambda: w.get(f"/connectors/{name}/topics").json == want, timeout,
             what=f"topics of {name} = {topics}")


def test_source_offsets_alter_reset_and_topics(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["lines:1"])
    lines = [f"line-{i}" for i in range(10)]
    src = tmp_path / "input.txt"
    src.write_text("".join(line + "\n" for line in lines))
    size = os.path.getsize(src)
    conn = {"name": "file-source", "config": {
        "connector.class": "FileStreamSource", "tasks.max": "1", "file": str(src),
        "topic": "lines"}}
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [conn]).start()
    try:
        w.wait_running("file-source")
        assert w.get("/health").json["status"] == "healthy"
        partition = {"filename": str(src)}
        wait_for(lambda: offsets(w, "file-source") == [
            {"partition": partition, "offset": {"position": size}}], 30,
            what="the source offset at the end of the file")
        assert w.get("/connectors/nope/offsets").status == 404
        expect_topics(w, "file-source", ["lines"])

        # Offsets can only be changed while the connector is stopped.
        body = {"offsets": [{"partition": partition,
                             "offset": {"position": len("".join(x + "\n" for x in lines[:7]))}}]}
        r = w.request("PATCH", "/connectors/file-source/offsets", body)
        assert (r.status, r.json["message"]) == (400, stopped_msg("file-source")), r
        r = w.request("DELETE", "/connectors/file-source/offsets")
        assert r.status == 400, r
        r = w.request("PATCH", "/connectors/file-source/offsets", {"offsets": []})
        assert r.status == 400, r

        # Stop, move the position back to line 7, resume: lines 7..9 are read again.
        stop(w, "file-source")
        r = w.request("PATCH", "/connectors/file-source/offsets", body)
        assert (r.status, r.json) == (200, {"message": ALTERED}), r
        assert offsets(w, "file-source") == [{"partition": partition,
                                              "offset": body["offsets"][0]["offset"]}]
        resume(w, "file-source")
        wait_for(lambda: len(topic_values(kafka.bootstrap, "lines")) >= 13, 30,
                 what="lines 7..9 produced again")
        assert topic_values(kafka.bootstrap, "lines") == lines + lines[7:]

        # Reset: the offsets go, and the file is read from the start.
        stop(w, "file-source")
        r = w.request("DELETE", "/connectors/file-source/offsets")
        assert (r.status, r.json) == (200, {"message": RESET}), r
        assert offsets(w, "file-source") == []
        # Topic tracking: a reset empties the set; resumed tasks fill it again.
        assert w.request("PUT", "/connectors/file-source/topics/reset").status == 202
        assert w.get("/connectors/file-source/topics").json == {"file-source": {"topics": []}}
        resume(w, "file-source")
        wait_for(lambda: len(topic_values(kafka.bootstrap, "lines")) >= 23, 30,
                 what="the file produced again from the start")
        assert topic_values(kafka.bootstrap, "lines") == lines + lines[7:] + lines
        wait_for(lambda: offsets(w, "file-source") == [
            {"partition": partition, "offset": {"position": size}}], 30,
            what="the source offset back at the end of the file")
        expect_topics(w, "file-source", ["lines"])
        # connect-standalone has no internal task-config endpoint.
        assert w.request("POST", "/connectors/file-source/tasks", [{}]).status == 404
    finally:
        assert w.stop() == 0, w.logs()


def out_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def test_sink_offsets_alter_reset_and_topics(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["sink-in:1", "unused:1"])
    lines = [f"msg-{i}" for i in range(10)]
    kcat_produce(kafka.bootstrap, "sink-in", lines, partition=0)
    out = tmp_path / "out.txt"
    conn = {"name": "file-sink", "config": {
        "connector.class": "FileStreamSink", "tasks.max": "1", "file": str(out),
        "topics": "sink-in"}}
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [conn]).start()
    try:
        w.wait_running("file-sink")
        wait_for(lambda: out_lines(out) == lines, 60, what="every message in the sink file")
        tp = {"kafka_topic": "sink-in", "kafka_partition": 0}
        wait_for(lambda: offsets(w, "file-sink") == [
            {"partition": tp, "offset": {"kafka_offset": 10}}], 30,
            what="the committed sink offset")
        expect_topics(w, "file-sink", ["sink-in"])

        r = w.request("PATCH", "/connectors/file-sink/offsets",
                      {"offsets": [{"partition": tp, "offset": {"kafka_offset": 6}}]})
        assert (r.status, r.json["message"]) == (400, stopped_msg("file-sink")), r

        # Stop, rewind to offset 6, resume: messages 6..9 are delivered again.
        stop(w, "file-sink")
        bad = {"offsets": [{"partition": {"kafka_topic": "sink-in"}, "offset": None}]}
        r = w.request("PATCH", "/connectors/file-sink/offsets", bad)
        assert r.status == 400 and "must contain the keys 'kafka_topic' and 'kafka_partition'" \
            in r.json["message"], r
        r = w.request("PATCH", "/connectors/file-sink/offsets",
                      {"offsets": [{"partition": {"kafka_topic": "sink-in",
                                                  "kafka_partition": "0"},
                                    "offset": {"kafka_offset": "6"}}]})
        assert (r.status, r.json) == (200, {"message": ALTERED}), r
        assert offsets(w, "file-sink") == [{"partition": tp, "offset": {"kafka_offset": 6}}]
        resume(w, "file-sink")
        wait_for(lambda: len(out_lines(out)) >= 14, 60, what="messages 6..9 delivered again")
        assert out_lines(out) == lines + lines[6:]

        # Reset. Connect deletes the consumer group (DeleteGroups); kafka-mock does not answer
        # DeleteGroups, so Sluice commits each partition's earliest offset instead: the GET
        # below accepts both outcomes, and either way everything is delivered again.
        stop(w, "file-sink")
        r = w.request("DELETE", "/connectors/file-sink/offsets")
        assert (r.status, r.json) == (200, {"message": RESET}), r
        after = offsets(w, "file-sink")
        assert after in ([], [{"partition": tp, "offset": {"kafka_offset": 0}}]), after
        assert w.request("PUT", "/connectors/file-sink/topics/reset").status == 202
        assert w.get("/connectors/file-sink/topics").json == {"file-sink": {"topics": []}}
        resume(w, "file-sink")
        wait_for(lambda: len(out_lines(out)) >= 24, 60, what="every message delivered again")
        assert out_lines(out) == lines + lines[6:] + lines
        expect_topics(w, "file-sink", ["sink-in"])
    finally:
        assert w.stop() == 0, w.logs()


def test_topic_tracking_disabled(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(brokers=1, topics=["t:1"])
    w = Worker(build_dir, tmp_path, kafka.bootstrap,
               extra={"topic.tracking.allow.reset": "false"}).start()
    try:
        assert w.get("/connectors/any/topics").json == {"any": {"topics": []}}
        r = w.request("PUT", "/connectors/any/topics/reset")
        assert (r.status, r.json) == (403, {"error_code": 403,
                                            "message": "Topic tracking reset is disabled."}), r
    finally:
        assert w.stop() == 0, w.logs()
    w = Worker(build_dir, tmp_path, kafka.bootstrap, name="w2",
               extra={"topic.tracking.enable": "false"}).start()
    try:
        for method, path in (("GET", "/connectors/any/topics"),
                             ("PUT", "/connectors/any/topics/reset")):
            r = w.request(method, path)
            assert (r.status, r.json["message"]) == (403, "Topic tracking is disabled."), r
    finally:
        assert w.stop() == 0, w.logs()
