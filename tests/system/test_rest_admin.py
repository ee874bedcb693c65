"""The admin side of a real worker's REST API: /admin/loggers (levels that change what the
worker logs), admin.listeners separation, /health, and the served OpenAPI document."""
import pytest

from conftest import free_port
from resthelp import assert_error, request
from sluice import Worker, wait_for


@pytest.fixture
def kafka(kafka_mock_factory):
    return kafka_mock_factory(brokers=1, topics=["adm-topic:1"])


@pytest.fixture
def worker(build_dir, kafka, tmp_path):
    w = Worker(build_dir, tmp_path, kafka.bootstrap).start()
    yield w
    assert w.stop() == 0, w.logs()


def test_loggers(worker):
    r = worker.get("/admin/loggers")
    assert r.status == 200, r
    assert r.json["root"] == {"level": "INFO", "last_modified": None}
    # The worker's own loggers are known once they have logged.
    assert worker.get("/admin/loggers/rest").json == {"level": "INFO", "last_modified": None}
    assert_error(worker.get("/admin/loggers/no.such.logger"), 404,
                 "Logger no.such.logger not found.")

    # No DEBUG line from the REST layer yet.
    worker.get("/connectors?expand=bogus")
    assert "Ignoring unknown expansion type bogus" not in worker.logs_all()

    r = worker.request("PUT", "/admin/loggers/rest", {"level": "debug"})
    assert r.status == 200 and "rest" in r.json, r
    got = worker.get("/admin/loggers/rest").json
    assert got["level"] == "DEBUG" and got["last_modified"] > 1600000000000
    assert worker.get("/admin/loggers").json["rest"]["level"] == "DEBUG"
    worker.get("/connectors?expand=bogus")
    wait_for(lambda: "DEBUG [rest] Ignoring unknown expansion type bogus" in worker.logs_all(),
             10, what="a DEBUG line from the rest logger")
    # Other loggers keep INFO: nothing at DEBUG from them.
    assert "DEBUG [herder]" not in worker.logs_all()

    # Back to INFO: no more such lines.
    assert worker.request("PUT", "/admin/loggers/rest", {"level": "INFO"}).status == 200
    before = worker.logs_all().count("Ignoring unknown expansion type")
    worker.get("/connectors?expand=bogus2")
    assert worker.logs_all().count("Ignoring unknown expansion type") == before

    # Body errors, with Connect's messages and codes.
    assert_error(worker.request("PUT", "/admin/loggers/rest", {}), 400,
                 "Desired 'level' parameter was not specified in request.")
    assert_error(worker.request("PUT", "/admin/loggers/rest", {"level": "LOUD"}), 404,
                 "invalid log level 'LOUD'.")
    assert_error(worker.request("PUT", "/admin/loggers/rest", ["DEBUG"]), 400)
    assert worker.request("PUT", "/admin/loggers/rest", {"level": "x"},
                          content_type="text/plain").status == 415

    # A new logger name becomes known; setting root covers every logger.
    r = worker.request("PUT", "/admin/loggers/org.example.Foo", {"level": "TRACE"})
    assert r.status == 200 and r.json == ["org.example.Foo"], r
    r = worker.request("PUT", "/admin/loggers/root", {"level": "WARN"})
    assert r.status == 200 and "root" in r.json and "rest" in r.json, r
    levels = worker.get("/admin/loggers").json
    assert levels["root"]["level"] == "WARN" and levels["root"]["last_modified"] is not None
    assert levels["org.example.Foo"]["level"] == "WARN"
    assert list(levels) == sorted(levels)


def test_admin_listeners(build_dir, kafka, tmp_path):
    admin_port = free_port()
    w = Worker(build_dir, tmp_path, kafka.bootstrap, name="sep",
               extra={"admin.listeners": f"http://127.0.0.1:{admin_port}"})
    off = Worker(build_dir, tmp_path, kafka.bootstrap, name="off",
                 extra={"admin.listeners": ""})
    try:
        w.start()
        off.start()
        admin = f"http://127.0.0.1:{admin_port}"
        assert_error(w.get("/admin/loggers"), 404)
        assert w.get("/connectors").status == 200
        r = request("GET", admin + "/admin/loggers")
        assert r.status == 200 and "root" in r.json, r
        assert request("PUT", admin + "/admin/loggers/rest", {"level": "WARN"}).status == 200
        assert_error(request("GET", admin + "/connectors"), 404)
        assert_error(request("GET", admin + "/"), 404)
        assert f"(admin endpoints only)" in w.logs()
        # admin.listeners="" turns the admin endpoints off.
        assert_error(off.get("/admin/loggers"), 404)
        assert_error(off.get("/admin/loggers/root"), 404)
        assert off.get("/").status == 200
    finally:
        w.stop()
        off.stop()


def test_health_and_openapi(worker):
    r = worker.get("/health")
    assert r.status == 200, r
    assert r.json["status"] == "healthy" and r.json["message"], r
    r = worker.get("/openapi.json")
    assert r.status == 200, r
    doc = r.json
    assert doc["openapi"].startswith("3.")
    assert {"get", "post"} <= set(doc["paths"]["/connectors"])
    for path in ("/health", "/admin/loggers/{logger}", "/connectors/{connector}/offsets",
                 "/connectors/{connector}/topics/reset"):
        assert path in doc["paths"], path
    assert "ErrorMessage" in doc["components"]["schemas"]
    # OPTIONS lists the methods of a path (Jersey's automatic OPTIONS).
    r = worker.request("OPTIONS", "/connectors/x/offsets")
    assert r.status == 200
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"GET", "PATCH", "DELETE"}
