"""The standalone worker's REST API: Connect's shapes and status codes, and bad requests
answered with 4xx and Connect's error body while the worker keeps serving."""
import pytest

from sluice import Worker, wait_for


@pytest.fixture
def worker(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["rest-topic:1"])
    w = Worker(build_dir, tmp_path, kafka.bootstrap).start()
    yield w
    assert w.stop() == 0, w.logs()


def sink_config(tmp_path, **extra):
    conf = {"connector.class": "FileStreamSink", "topics": "rest-topic",
            "file": str(tmp_path / "sink.txt")}
    conf.update(extra)
    return conf


def assert_error(r, status, message=None):
    assert r.status == status, r
    assert r.json is not None and set(r.json) == {"error_code", "message"}, r
    assert r.json["error_code"] == status
    if message is not None:
        assert message in r.json["message"], r


def test_root_and_plugins(worker):
    r = worker.get("/")
    assert r.status == 200
    assert set(r.json) == {"version", "commit", "kafka_cluster_id"}
    plugins = worker.get("/connector-plugins").json
    classes = {p["class"]: p["type"] for p in plugins}
    assert classes["org.apache.kafka.connect.file.FileStreamSinkConnector"] == "sink"
    assert classes["org.apache.kafka.connect.file.FileStreamSourceConnector"] == "source"
    assert all(p["type"] in ("sink", "source") for p in plugins)
    everything = worker.get("/connector-plugins?connectorsOnly=false").json
    assert {"class": "org.apache.kafka.connect.json.JsonConverter", "type": "converter"} in [
        {k: p[k] for k in ("class", "type")} for p in everything]


def test_connector_lifecycle(worker, tmp_path):
    r = worker.request("POST", "/connectors", {"name": "s1", "config": sink_config(tmp_path)})
    assert r.status == 201, r
    assert r.headers["Location"].endswith("/connectors/s1")
    assert r.json["name"] == "s1" and r.json["type"] == "sink"
    assert r.json["config"]["name"] == "s1"
    worker.wait_running("s1")
    assert worker.get("/connectors").json == ["s1"]
    info = worker.get("/connectors/s1").json
    assert info["tasks"] == [{"connector": "s1", "task": 0}]
    assert worker.get("/connectors/s1/config").json["topics"] == "rest-topic"
    st = worker.get("/connectors/s1/status").json
    assert st["name"] == "s1" and st["type"] == "sink"
    assert st["connector"]["worker_id"] == f"127.0.0.1:{worker.port}"
    assert worker.get("/connectors/s1/tasks/0/status").json["state"] == "RUNNING"
    expanded = worker.get("/connectors?expand=status&expand=info").json
    assert set(expanded["s1"]) == {"status", "info"}

    r = worker.request("PUT", "/connectors/s1/config", sink_config(tmp_path, **{"tasks.max": "2"}))
    assert r.status == 200, r
    worker.wait_running("s1", tasks=2)
    r = worker.request("PUT", "/connectors/s2/config", sink_config(tmp_path))
    assert r.status == 201, r

    assert worker.request("PUT", "/connectors/s1/pause").status == 202
    wait_for(lambda: worker.connector_state("s1")["connector"]["state"] == "PAUSED", 10)
    assert worker.request("PUT", "/connectors/s1/resume").status == 202
    worker.wait_running("s1", tasks=2)

    assert worker.request("DELETE", "/connectors/s1").status == 204
    assert worker.request("DELETE", "/connectors/s2").status == 204
    assert worker.get("/connectors").json == []
    assert_error(worker.get("/connectors/s1"), 404, "Connector s1 not found")
    assert_error(worker.get("/connectors/s1/status"), 404, "No status found for connector s1")
    assert_error(worker.request("DELETE", "/connectors/s1"), 404)


def test_bad_requests_get_4xx_and_error_body(worker, tmp_path):
    # Malformed JSON: Connect answers 500; we answer 400 with its error body.
    r = worker.request("POST", "/connectors", raw=b'{"name": "x", "config": {')
    assert_error(r, 400)
    # Wrong types.
    assert_error(worker.request("POST", "/connectors", {"name": "x", "config": "nope"}), 400)
    assert_error(worker.request("POST", "/connectors",
                                {"name": "x", "config": {"tasks.max": 2}}), 400)
    assert_error(worker.request("POST", "/connectors", [1, 2, 3]), 400)
    # Invalid values are reported with Connect's validation message.
    r = worker.request("POST", "/connectors",
                       {"name": "x", "config": sink_config(tmp_path, **{"tasks.max": "zero"})})
    # Connect reports a bad number twice: the parse error and the resulting null.
    assert_error(r, 400, "Connector configuration is invalid and contains the following 2 error(s)")
    assert "Invalid value zero for configuration tasks.max" in r.json["message"]
    # Unknown connector class.
    r = worker.request("POST", "/connectors",
                       {"name": "x", "config": {"connector.class": "NoSuchConnector"}})
    assert_error(r, 400, "Failed to find any class that implements Connector and which name "
                         "matches NoSuchConnector")
    # Missing name.
    r = worker.request("POST", "/connectors", {"config": sink_config(tmp_path)})
    assert_error(r, 400)
    # Name mismatch.
    r = worker.request("PUT", "/connectors/a/config", sink_config(tmp_path, name="b"))
    assert_error(r, 400, "Connector name configuration (b) doesn't match connector name in the "
                         "URL (a)")
    # Wrong content type, unknown path, unknown connector.
    assert worker.request("POST", "/connectors", {"name": "x"}, content_type="text/plain").status == 415
    assert_error(worker.get("/no/such/path"), 404)
    assert_error(worker.get("/connectors/ghost/config"), 404, "Connector ghost not found")
    assert_error(worker.get("/connectors/ghost/tasks/zero/status"), 404)
    # Nothing was created, and the worker still serves.
    assert worker.get("/connectors").json == []
    assert worker.get("/").status == 200
    r = worker.request("POST", "/connectors", {"name": "ok", "config": sink_config(tmp_path)})
    assert r.status == 201, r
    assert_error(worker.request("POST", "/connectors",
                                {"name": "ok", "config": sink_config(tmp_path)}), 409,
                 "Connector ok already exists")


def test_failing_task_goes_failed_and_worker_keeps_running(worker, tmp_path):
    bad = sink_config(tmp_path, file=str(tmp_path / "no-such-dir" / "out.txt"))
    r = worker.request("POST", "/connectors", {"name": "broken", "config": bad})
    assert r.status == 201, r

    def failed():
        st = worker.connector_state("broken")
        return st and st["tasks"] and st["tasks"][0]["state"] == "FAILED" and st
    st = wait_for(failed, 20, what="task FAILED")
    assert "no-such-dir" in st["tasks"][0]["trace"]
    assert st["connector"]["state"] == "RUNNING"
    assert worker.get("/").status == 200
    r = worker.request("POST", "/connectors/broken/restart?includeTasks=true&onlyFailed=true")
    assert r.status == 202, r
    assert r.json["tasks"][0]["state"] == "RESTARTING"
    assert worker.request("DELETE", "/connectors/broken").status == 204


def test_connectors_from_properties_files(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["props-topic:1"])
    (tmp_path / "in.txt").write_text("alpha\nbeta\n")
    conn = tmp_path / "source.properties"
    conn.write_text("# a connect-standalone connector file\n"
                    "name=props-source\n"
                    "connector.class=FileStreamSource\n"
                    f"file={tmp_path / 'in.txt'}\n"
                    "topic=props-topic\n")
    w = Worker(build_dir, tmp_path, kafka.bootstrap)
    w.connector_files.append(str(conn))
    w.start()
    try:
        w.wait_running("props-source")
        assert w.get("/connectors/props-source/config").json["topic"] == "props-topic"
    finally:
        assert w.stop() == 0, w.logs()


def test_malformed_worker_properties_name_file_and_line(build_dir, tmp_path):
    import subprocess
    props = tmp_path / "bad.properties"
    props.write_text("bootstrap.servers=127.0.0.1:1\nbad=\\u12\n")
    r = subprocess.run([f"{build_dir}/bin/sluice-worker", "--standalone", str(props)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert f"{props}:2" in r.stderr, r.stderr
