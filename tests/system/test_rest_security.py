"""A secured REST listener on a real worker: https with certificates made by the openssl CLI
(PEM and PKCS12 key stores, client certificates), basic authentication, CORS, configured
response headers, and forged internal requests (standalone: no such route; distributed: the
KIP-507 signature is checked)."""
import ssl
import urllib.error

import pytest

from resthelp import (AuthWorker, HttpsWorker, assert_error, basic, pkcs12, request,
                      self_signed)
from sluice import DISTRIBUTED_TOPICS, Worker, wait_for


def sink_config(tmp_path):
    return {"connector.class": "FileStreamSink", "topics": "sec-topic",
            "file": str(tmp_path / "sink.txt")}


@pytest.fixture
def kafka(kafka_mock_factory):
    return kafka_mock_factory(brokers=1, topics=["sec-topic:1"])


def tls_refused(fn):
    """fn() must fail in the TLS handshake (or see the connection dropped right after it)."""
    try:
        r = fn()
    except (ssl.SSLError, urllib.error.URLError, ConnectionError) as e:
        return e
    raise AssertionError(f"expected a TLS failure, got {r!r}")


def test_https_pem_keystore_with_required_client_certificates(build_dir, kafka, tmp_path):
    server_crt, server_key, server_pem = self_signed(tmp_path, "server", "localhost",
                                                     "IP:127.0.0.1,DNS:localhost")
    client_crt, client_key, _ = self_signed(tmp_path, "client", "client")
    stranger_crt, stranger_key, _ = self_signed(tmp_path, "stranger", "stranger")
    w = HttpsWorker(build_dir, tmp_path, kafka.bootstrap, cafile=server_crt, cert=client_crt,
                    key=client_key, extra={
                        "listeners.https.ssl.keystore.location": server_pem,
                        "listeners.https.ssl.truststore.location": client_crt,
                        "listeners.https.ssl.client.auth": "required",
                    })
    try:
        w.start()
        r = w.get("/")
        assert r.status == 200 and "version" in r.json, r
        # The advertised URL is https: it names the worker in statuses.
        assert f"REST server listening on https://127.0.0.1:{w.port}" in w.logs()
        assert f"Advertised URI: https://127.0.0.1:{w.port}/" in w.logs()
        r = w.request("POST", "/connectors", {"name": "s", "config": sink_config(tmp_path)})
        assert r.status == 201, r
        # No client certificate, an untrusted one, or a client that does not trust the server.
        url = w.url + "/"
        tls_refused(lambda: request("GET", url, cafile=server_crt))
        tls_refused(lambda: request("GET", url, cafile=server_crt, cert=stranger_crt,
                                    key=stranger_key))
        tls_refused(lambda: request("GET", url, cafile=stranger_crt, cert=client_crt,
                                    key=client_key))
        # Plain http to the https port gets nothing useful.
        with pytest.raises(Exception):
            request("GET", f"http://127.0.0.1:{w.port}/", timeout=5)
        assert w.get("/connectors").json == ["s"]
    finally:
        assert w.stop() == 0, w.logs()


def test_https_pkcs12_keystore_and_bad_settings(build_dir, kafka, tmp_path):
    crt, key, _ = self_signed(tmp_path, "server", "localhost", "IP:127.0.0.1")
    p12 = pkcs12(tmp_path, "server", crt, key, "storepass")
    # Unprefixed ssl.* settings apply when no listeners.https. key is set.
    w = HttpsWorker(build_dir, tmp_path, kafka.bootstrap, cafile=crt, name="p12", extra={
        "ssl.keystore.type": "PKCS12", "ssl.keystore.location": p12,
        "ssl.keystore.password": "storepass"})
    try:
        w.start()
        assert w.get("/").status == 200
        assert w.get("/connector-plugins").status == 200
    finally:
        assert w.stop() == 0, w.logs()

    # A wrong password or a JKS store stops the worker at start-up with a clear message.
    for name, extra, message in [
            ("badpass", {"ssl.keystore.location": p12, "ssl.keystore.password": "nope"},
             "cannot read the PKCS12 key store"),
            ("jks", {"ssl.keystore.type": "JKS", "ssl.keystore.location": p12},
             "JKS is not supported")]:
        bad = HttpsWorker(build_dir, tmp_path, kafka.bootstrap, cafile=crt, name=name,
                          extra=extra)
        try:
            bad.start(wait=False)
            assert bad.proc.wait(30) != 0
            assert message in bad.logs(), bad.logs()
        finally:
            bad.stop()


def test_basic_auth(build_dir, kafka, tmp_path):
    users = tmp_path / "users.properties"
    users.write_text("# Connect's PropertyFileLoginModule format\nadmin: s3cret\nops=ops-pass\n")
    w = AuthWorker(build_dir, tmp_path, kafka.bootstrap, "admin", "s3cret", extra={
        "rest.extension.classes":
            "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension",
        "rest.basic.auth.users.file": str(users)})
    try:
        w.start()
        for headers in ({}, {"Authorization": basic("admin", "wrong")},
                        {"Authorization": basic("nobody", "s3cret")},
                        {"Authorization": "Bearer abc"}):
            r = request("GET", w.url + "/connectors", headers=headers)
            assert_error(r, 401, "User cannot access the resource.")
            assert r.headers["WWW-Authenticate"].startswith("Basic realm=")
        r = request("POST", w.url + "/connectors", {"name": "s", "config": sink_config(tmp_path)})
        assert r.status == 401, r
        assert w.get("/connectors").json == []  # nothing was created
        r = w.request("POST", "/connectors", {"name": "s", "config": sink_config(tmp_path)})
        assert r.status == 201, r
        ops = request("GET", w.url + "/connectors/s",
                      headers={"Authorization": basic("ops", "ops-pass")})
        assert ops.status == 200 and ops.json["name"] == "s", ops
        assert w.get("/admin/loggers").status == 200
    finally:
        assert w.stop() == 0, w.logs()


def test_cors_and_response_headers(build_dir, kafka, tmp_path):
    w = Worker(build_dir, tmp_path, kafka.bootstrap, extra={
        "access.control.allow.origin": "http://ui.example,http://*.corp.example",
        "access.control.allow.methods": "GET,POST,PUT,DELETE",
        "response.http.headers.config":
            "set X-Frame-Options: DENY, add Cache-Control: no-store, setDate Expires: 3600000"})
    try:
        w.start()
        pre = request("OPTIONS", w.url + "/connectors/x/config", headers={
            "Origin": "http://a.corp.example", "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Content-Type"})
        assert pre.status == 200, pre
        assert pre.headers["Access-Control-Allow-Origin"] == "http://a.corp.example"
        assert pre.headers["Access-Control-Allow-Methods"] == "GET,POST,PUT,DELETE"
        assert pre.headers["Access-Control-Max-Age"] == "1800"
        assert "GET" in pre.headers["Allow"] and "PUT" in pre.headers["Allow"]
        # A method that is not allowed: no CORS answer (the browser then refuses).
        pre = request("OPTIONS", w.url + "/connectors", headers={
            "Origin": "http://ui.example", "Access-Control-Request-Method": "PATCH"})
        assert "Access-Control-Allow-Origin" not in pre.headers

        r = request("GET", w.url + "/connectors", headers={"Origin": "http://ui.example"})
        assert r.status == 200 and r.json == []
        assert r.headers["Access-Control-Allow-Origin"] == "http://ui.example"
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["Expires"].endswith(" GMT")
        r = request("GET", w.url + "/connectors", headers={"Origin": "http://evil.example"})
        assert "Access-Control-Allow-Origin" not in r.headers
        assert r.headers["X-Frame-Options"] == "DENY"
        # Errors carry them too.
        r = w.get("/no/such/thing")
        assert r.status == 404 and r.headers["X-Frame-Options"] == "DENY"
    finally:
        assert w.stop() == 0, w.logs()


FORGED = {"X-Connect-Authorization": "Zm9yZ2VkIHNpZ25hdHVyZQ==",
          "X-Connect-Request-Signature-Algorithm": "HmacSHA256"}


def test_forged_internal_request_standalone_has_no_such_route(build_dir, kafka, tmp_path):
    """Depends on the standalone herder's put_task_configs answering 404 (Connect standalone
    has no internal resource)."""
    w = Worker(build_dir, tmp_path, kafka.bootstrap)
    try:
        w.start()
        r = request("POST", w.url + "/connectors/s/tasks", [{"task.class": "x"}], headers=FORGED)
        assert_error(r, 404)
    finally:
        assert w.stop() == 0, w.logs()


def test_forged_internal_request_distributed(build_dir, kafka_mock_factory, tmp_path):
    """Depends on the distributed herder's put_task_configs checking KIP-507 signatures."""
    kafka = kafka_mock_factory(brokers=1, topics=DISTRIBUTED_TOPICS)
    w = Worker(build_dir, tmp_path, kafka.bootstrap, name="dist", distributed=True)
    try:
        w.start()
        wait_for(lambda: "as leader" in w.logs_all(), 60, 0.2, "the worker to lead its group")
        body = [{"task.class": "evil", "file": "/etc/passwd"}]

        def answered():
            r = request("POST", w.url + "/connectors/victim/tasks", body, headers=FORGED)
            return r if r.status != 503 else None  # 503 until the session key is read
        r = wait_for(answered, 30, 0.2, "a session key")
        assert_error(r, 403, "Internal request contained invalid signature.")
        r = w.request("POST", "/connectors/victim/tasks", body)
        assert_error(r, 400, "Internal request missing required signature")
        assert w.get("/connectors").json == []
    finally:
        assert w.stop() == 0, w.logs()
