"""Every REST endpoint of the distributed worker on a three-worker cluster, called through the
leader and through a follower (issue 4): status codes, bodies and Connect's error messages,
including the error paths (unknown connector or task, name mismatch, invalid config, offsets of
a running connector, invalid log level, a forged internal request)."""
import base64

import pytest

from cluster import all_running, role, start_cluster
from sluice import DISTRIBUTED_TOPICS, wait_for


def settled(worker, method, path, body=None):
    """The answer once it is not Connect's transient 500 "a rebalance is expected"."""
    def ask():
        r = worker.request(method, path, body)
        return r if not (r.status == 500 and "rebalance" in (r.json or {}).get("message", "")) \
            else None
    return wait_for(ask, 60, 0.3, f"{method} {path}")


@pytest.fixture(scope="module")
def cluster(build_dir, tmp_path_factory):
    from conftest import KafkaMock  # module-scoped: one cluster for every check below
    tmp = tmp_path_factory.mktemp("rest-cluster")
    kafka = KafkaMock(str(build_dir / "bin" / "kafka-mock"),
                      topics=DISTRIBUTED_TOPICS + ["lines:2"], log_path=str(tmp / "kafka.log"))
    workers = []
    try:
        workers = start_cluster(build_dir, tmp, kafka.bootstrap)
        leader = next(w for w in workers if role(w) == "leader")
        follower = next(w for w in workers if role(w) == "follower")
        yield {"leader": leader, "follower": follower, "all": workers, "tmp": tmp}
    finally:
        for w in workers:
            w.stop()
        kafka.stop()


def sink_config(tmp, name, tasks="2"):
    return {"connector.class": "FileStreamSink", "tasks.max": tasks, "topics": "lines",
            "file": str(tmp / f"{name}.out")}


@pytest.mark.parametrize("via", ["leader", "follower"])
def test_connector_endpoints(cluster, via):
    w, tmp = cluster[via], cluster["tmp"]
    name = f"sink-{via}"
    others = [x for x in cluster["all"] if x is not w]

    r = w.get("/")
    assert r.status == 200 and set(r.json) == {"version", "commit", "kafka_cluster_id"}, r
    r = w.get("/health")
    assert r.status == 200 and r.json["status"] == "healthy", r

    # Create: validation first (400 with the error count), then 201 with Location.
    r = w.request("POST", "/connectors", {"name": name, "config": {"topics": "lines"}})
    assert r.status == 400 and "contains no connector type" in r.json["message"], r
    r = w.request("POST", "/connectors", {"name": name, "config": {
        "connector.class": "FileStreamSink", "file": "/dev/null"}})
    assert r.status == 400 and r.json["message"].startswith(
        "Connector configuration is invalid and contains the following 2 error(s):\nMust configure one of topics or topics.regex"), r
    r = w.request("POST", "/connectors", raw=b'{"name": ', content_type="application/json")
    assert r.status == 400, r
    r = w.request("POST", "/connectors", {"name": name, "config": sink_config(tmp, name)})
    assert r.status == 201 and r.headers["Location"] == f"/connectors/{name}", r
    assert r.json["name"] == name and r.json["type"] == "sink", r
    r = w.request("POST", "/connectors", {"name": name, "config": sink_config(tmp, name)})
    assert r.status == 409 and r.json["message"] == f"Connector {name} already exists", r
    for x in cluster["all"]:
        wait_for(lambda: all_running(x, name, 2), 90, 0.3, f"{name} RUNNING via {x.url}")

    # Reads answer from every worker alike.
    for x in [w] + others:
        r = settled(x, "GET", f"/connectors/{name}")
        assert r.status == 200 and r.json["config"]["tasks.max"] == "2", r
        assert len(r.json["tasks"]) == 2, r
        assert settled(x, "GET", f"/connectors/{name}/config").json["topics"] == "lines"
        tasks = settled(x, "GET", f"/connectors/{name}/tasks").json
        assert [t["id"] for t in tasks] == [{"connector": name, "task": 0},
                                            {"connector": name, "task": 1}], tasks
        r = x.get(f"/connectors/{name}/tasks/1/status")
        assert r.status == 200 and r.json["state"] == "RUNNING" and r.json["id"] == 1, r
    r = settled(w, "GET", "/connectors?expand=status&expand=info")
    assert r.json[name]["status"]["connector"]["state"] == "RUNNING", r
    assert r.json[name]["info"]["type"] == "sink", r
    assert name in settled(w, "GET", "/connectors").json

    # Error paths.
    r = w.get("/connectors/nope")
    assert r.status == 404 and r.json["message"] == "Connector nope not found", r
    assert w.get("/connectors/nope/status").status == 404
    r = w.get(f"/connectors/{name}/tasks/9/status")
    assert r.status == 404, r
    r = w.request("POST", f"/connectors/{name}/tasks/9/restart")
    assert r.status == 404, r
    r = w.request("PUT", f"/connectors/{name}/config", dict(sink_config(tmp, name), name="x"))
    assert r.status == 400 and "doesn't match connector name" in r.json["message"], r
    r = w.request("PUT", f"/connectors/{name}/config",
                  dict(sink_config(tmp, name), **{"tasks.max": "zero"}))
    assert r.status == 400, r

    # Reconfigure (PUT and PATCH), restart, pause/resume.
    r = w.request("PUT", f"/connectors/{name}/config", sink_config(tmp, name, tasks="3"))
    assert r.status == 200, r
    wait_for(lambda: all_running(w, name, 3), 90, 0.3, "3 tasks")
    r = w.request("PATCH", f"/connectors/{name}/config", {"tasks.max": "1"})
    assert r.status == 200 and r.json["config"]["tasks.max"] == "1", r
    wait_for(lambda: all_running(w, name, 1), 90, 0.3, "1 task")
    assert w.request("POST", f"/connectors/{name}/restart").status == 204
    r = w.request("POST", f"/connectors/{name}/restart?includeTasks=true")
    assert r.status == 202 and r.json["connector"]["state"] == "RESTARTING", r
    wait_for(lambda: all_running(w, name, 1), 90, 0.3, "RUNNING after restart")
    assert w.request("POST", f"/connectors/{name}/tasks/0/restart").status == 204
    assert w.request("PUT", f"/connectors/{name}/pause").status == 202
    wait_for(lambda: (w.connector_state(name) or {}).get("connector", {}).get("state")
             == "PAUSED", 30, 0.3, "PAUSED")
    assert w.request("PUT", f"/connectors/{name}/resume").status == 202

    # Topics (KIP-558) and offsets (KIP-875): offsets of a running connector cannot change.
    r = settled(w, "GET", f"/connectors/{name}/topics")
    assert r.status == 200 and set(r.json) == {name}, r
    assert w.request("PUT", f"/connectors/{name}/topics/reset").status == 202
    r = settled(w, "GET", f"/connectors/{name}/offsets")
    assert r.status == 200 and "offsets" in r.json, r
    body = {"offsets": [{"partition": {"kafka_topic": "lines", "kafka_partition": 0},
                         "offset": {"kafka_offset": 0}}]}
    r = w.request("PATCH", f"/connectors/{name}/offsets", body)
    assert r.status == 400 and "must be in the STOPPED state" in r.json["message"], r
    r = w.request("PATCH", f"/connectors/{name}/offsets", {"offsets": []})
    assert r.status == 400 and r.json["message"].startswith("Partitions / offsets need"), r
    assert w.request("PUT", f"/connectors/{name}/stop").status == 204
    wait_for(lambda: (settled(w, "GET", f"/connectors/{name}/status").json or {})
             .get("connector", {}).get("state") == "STOPPED", 60, 0.3, "STOPPED")
    r = settled(w, "PATCH", f"/connectors/{name}/offsets", body)
    assert r.status == 200 and "altered successfully" in r.json["message"], r

    # Delete: 204, then 404 everywhere.
    assert w.request("DELETE", f"/connectors/{name}").status == 204
    for x in cluster["all"]:
        wait_for(lambda: x.get(f"/connectors/{name}").status == 404, 60, 0.3, "deleted")
    assert w.request("DELETE", f"/connectors/{name}").status == 404


@pytest.mark.parametrize("via", ["leader", "follower"])
def test_plugin_admin_and_internal_endpoints(cluster, via):
    w = cluster[via]
    r = w.get("/connector-plugins")
    assert r.status == 200 and any(p["class"].endswith("FileStreamSinkConnector")
                                   for p in r.json), r
    everything = w.get("/connector-plugins?connectorsOnly=false").json
    assert len(everything) > len(r.json)
    r = w.get("/connector-plugins/FileStreamSink/config")
    assert r.status == 200 and any(k["name"] == "file" for k in r.json), r
    r = w.request("PUT", "/connector-plugins/FileStreamSink/config/validate",
                  {"connector.class": "FileStreamSink", "topics": "lines", "tasks.max": "x"})
    assert r.status == 200 and r.json["error_count"] >= 1, r
    assert "Common" in r.json["groups"], r

    # Log levels: worker scope answers the affected loggers; an invalid level is Connect's 404,
    # a missing one a 400.
    r = w.request("PUT", "/admin/loggers/herder", {"level": "LOUD"})
    assert r.status == 404 and r.json["message"] == "invalid log level 'LOUD'.", r
    r = w.request("PUT", "/admin/loggers/herder", {})
    assert r.status == 400, r
    r = w.request("PUT", "/admin/loggers/herder", {"level": "DEBUG"})
    assert r.status == 200 and "herder" in r.json, r
    assert w.get("/admin/loggers/herder").json["level"] == "DEBUG"
    assert w.get("/admin/loggers/no.such.logger").status == 404
    # Cluster scope: 204, applied by every worker through the config topic.
    logger = f"rest.cluster.{via}"
    r = w.request("PUT", f"/admin/loggers/{logger}?scope=cluster", {"level": "WARN"})
    assert r.status == 204, r
    for x in cluster["all"]:
        wait_for(lambda: (x.get(f"/admin/loggers/{logger}").json or {}).get("level") == "WARN",
                 30, 0.3, f"cluster level on {x.url}")
    w.request("PUT", "/admin/loggers/herder", {"level": "INFO"})

    # Internal endpoint (KIP-507): unsigned is a 400, a forged signature a 403.
    r = w.request("POST", "/connectors/x/tasks", [{"a": "b"}])
    assert r.status == 400 and r.json["message"] == \
        "Internal request missing required signature", r
    import json
    import urllib.request
    req = urllib.request.Request(w.url + "/connectors/x/tasks", data=json.dumps([{}]).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("X-Connect-Authorization", base64.b64encode(b"\0" * 32).decode())
    req.add_header("X-Connect-Request-Signature-Algorithm", "HmacSHA256")
    try:
        urllib.request.urlopen(req, timeout=30)
        status = 200
    except urllib.error.HTTPError as e:
        status, msg = e.code, json.loads(e.read())["message"]
    assert status == 403 and msg == "Internal request contained invalid signature.", status
