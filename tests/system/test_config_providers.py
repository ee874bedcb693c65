"""Config providers (config.providers, KIP-297/887/993) on a standalone worker: file, env and
directory variables are resolved when the sink and its task start, while the REST API, the
worker's log and its files only ever show the placeholders; validation hides PASSWORD values;
unresolvable variables and bad provider settings fail clearly without printing a secret."""
import json
import os
import secrets

import pytest

from conftest import kcat_consume, kcat_produce
from sluice import DISTRIBUTED_TOPICS, Worker, wait_for

PROVIDER_CLASS = "org.apache.kafka.common.config.provider."


def tokens():
    """Three distinct secret strings that cannot appear anywhere by accident."""
    return {name: f"{name}-{secrets.token_hex(8)}" for name in ("FILESECRET", "ENVSECRET",
                                                                "DIRSECRET")}


def provider_props(secret_dir, plugin_path):
    return {
        "plugin.path": plugin_path,
        "config.providers": "file,env,directory",
        "config.providers.file.class": PROVIDER_CLASS + "FileConfigProvider",
        "config.providers.file.param.allowed.paths": str(secret_dir),
        "config.providers.env.class": PROVIDER_CLASS + "EnvVarConfigProvider",
        "config.providers.env.param.allowlist.pattern": "SLUICE_TEST_.*",
        "config.providers.directory.class": PROVIDER_CLASS + "DirectoryConfigProvider",
        "config.providers.directory.param.allowed.paths": str(secret_dir),
    }


@pytest.fixture
def secret_setup(tmp_path, monkeypatch):
    """The secrets: a properties file, an environment variable and a file in a directory."""
    tok = tokens()
    secret_dir = tmp_path / "secrets"
    (secret_dir / "dir").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    sink_path = tmp_path / "out" / f"sink-{tok['FILESECRET']}.txt"
    (secret_dir / "db.properties").write_text(f"sink.path={sink_path}\nother=x\n")
    (secret_dir / "dir" / "api-key").write_text(tok["DIRSECRET"])
    monkeypatch.setenv("SLUICE_TEST_SECRET", tok["ENVSECRET"])
    return tok, secret_dir, sink_path


def sink_config(secret_dir, topic):
    return {
        "connector.class": "FileStreamSink",
        "tasks.max": "1",
        "topics": topic,
        "file": f"${{file:{secret_dir}/db.properties:sink.path}}",
        "transforms": "hoist,env,dir",
        "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
        "transforms.hoist.field": "line",
        "transforms.env.type": "org.apache.kafka.connect.transforms.InsertField$Value",
        "transforms.env.static.field": "e",
        "transforms.env.static.value": "${env:SLUICE_TEST_SECRET}",
        "transforms.dir.type": "org.apache.kafka.connect.transforms.InsertField$Value",
        "transforms.dir.static.field": "d",
        "transforms.dir.static.value": f"${{directory:{secret_dir}/dir:api-key}}",
        # a provider this worker does not have: left as it is (Connect)
        "unused.vault": "${vault:kv/db:password}",
    }


def assert_no_secret(text, tok, where):
    for name, value in tok.items():
        assert value not in text, f"{name} leaked into {where}: ...{text[-3000:]}"


def read_lines(path):
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def test_providers_resolve_at_start_and_never_show(build_dir, kafka_mock_factory, tmp_path,
                                                   secret_setup):
    tok, secret_dir, sink_path = secret_setup
    kafka = kafka_mock_factory(brokers=1, topics=["prov:1"])
    (tmp_path / "input.txt").write_text("".join(f"line-{i}\n" for i in range(5)))
    source = {"name": "src", "config": {"connector.class": "FileStreamSource", "tasks.max": "1",
                                        "file": str(tmp_path / "input.txt"), "topic": "prov"}}
    extra = provider_props(secret_dir, str(build_dir / "plugins"))
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [source], extra=extra).start()
    try:
        raw = sink_config(secret_dir, "prov")
        r = w.request("POST", "/connectors", {"name": "sink", "config": raw})
        assert r.status == 201, r
        assert r.json["config"]["file"] == raw["file"]
        w.wait_running("sink")

        # The resolved values were used when the task started: the file provider named the
        # output file, the env and directory values went into every record.
        wait_for(lambda: len(read_lines(sink_path)) >= 5, 60, 0.2, "records in the sink file")
        for line in read_lines(sink_path):
            rec = json.loads(line)
            assert rec["e"] == tok["ENVSECRET"] and rec["d"] == tok["DIRSECRET"], line

        # REST shows the raw placeholders only.
        r = w.get("/connectors/sink/config")
        assert r.status == 200 and r.json == {**raw, "name": "sink"}, r
        r = w.get("/connectors/sink/tasks")
        assert r.status == 200 and len(r.json) == 1, r
        task_cfg = r.json[0]["config"]
        assert task_cfg["file"] == raw["file"]
        assert task_cfg["transforms.env.static.value"] == "${env:SLUICE_TEST_SECRET}"
        assert task_cfg["unused.vault"] == "${vault:kv/db:password}"
        for path in ("/connectors/sink", "/connectors/sink/tasks", "/connectors?expand=info",
                     "/connectors?expand=status", "/connectors/sink/status"):
            r = w.get(path)
            assert r.status == 200, (path, r)
            assert_no_secret(r.text, tok, path)

        # Unresolvable variables are rejected at creation, naming provider, path and key.
        bad = dict(raw, file=f"${{file:{secret_dir}/db.properties:no.such.key}}")
        r = w.request("POST", "/connectors", {"name": "bad1", "config": bad})
        assert r.status == 400, r
        assert "config provider 'file'" in r.text and "no.such.key" in r.text, r
        assert f"{secret_dir}/db.properties" in r.text, r
        bad = dict(raw, file="${file:/etc/passwd:root}")
        r = w.request("POST", "/connectors", {"name": "bad2", "config": bad})
        assert r.status == 400 and "is not allowed by" in r.text, r
        bad = dict(raw, file="${env:HOME}")  # outside allowlist.pattern
        r = w.request("POST", "/connectors", {"name": "bad3", "config": bad})
        assert r.status == 400 and "allowlist.pattern" in r.text, r
        for name in ("bad1", "bad2", "bad3"):
            assert w.get(f"/connectors/{name}").status == 404

        # The file disappears: the next start fails with a trace naming it (no value).
        (secret_dir / "db.properties").unlink()
        r = w.request("POST", "/connectors/sink/restart")
        assert r.status in (204, 500), r

        def connector_failed():
            st = w.connector_state("sink")
            return st if st and st["connector"]["state"] == "FAILED" else None
        st = wait_for(connector_failed, 30, what="sink FAILED after its secret file went away")
        assert "Could not read properties from file" in st["connector"]["trace"], st
        assert f"{secret_dir}/db.properties" in st["connector"]["trace"], st
        assert_no_secret(json.dumps(st), tok, "the status")
    finally:
        rc = w.stop()
    assert rc == 0, w.logs()

    # Nothing the worker wrote holds a secret: its log, offsets and connector files.
    assert_no_secret(w.logs_all(), tok, "the worker log")
    for root, _dirs, files in os.walk(tmp_path):
        if root.startswith(str(secret_dir)) or root.startswith(str(tmp_path / "out")):
            continue
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                assert_no_secret(fh.read().decode("utf-8", "replace"), tok, f)


def test_validate_hides_passwords(build_dir, kafka_mock_factory, tmp_path, secret_setup):
    tok, secret_dir, _ = secret_setup
    plugin = build_dir / "tests" / "plugins" / "config_plugin.so"
    if not plugin.exists():
        pytest.skip(f"{plugin} is missing: `make unit` builds the test plugins")
    kafka = kafka_mock_factory(brokers=1)
    extra = provider_props(secret_dir, f"{build_dir / 'plugins'},{plugin}")
    w = Worker(build_dir, tmp_path, kafka.bootstrap, extra=extra).start()
    try:
        path = f"${{file:{secret_dir}/db.properties:sink.path}}"
        body = {"connector.class": "com.example.config.CheckedSinkConnector", "name": "v",
                "topics": "t", "path": path, "password": "${env:SLUICE_TEST_SECRET}",
                "batch.size": f"${{directory:{secret_dir}/dir:api-key}}"}
        r = w.request("PUT", "/connector-plugins/CheckedSink/config/validate", body)
        assert r.status == 200, r
        assert_no_secret(r.text, tok, "the validate response")
        values = {c["value"]["name"]: c["value"] for c in r.json["configs"] if c["value"]}
        assert values["password"]["value"] == "[hidden]"
        assert values["path"]["value"] == path
        # batch.size resolved to a non-number: Connect's message, with the placeholder in it
        assert r.json["error_count"] >= 1
        assert (f"Invalid value ${{directory:{secret_dir}/dir:api-key}} for configuration "
                "batch.size: Not a number of type INT") in values["batch.size"]["errors"]
        body["batch.size"] = "10"
        r = w.request("PUT", "/connector-plugins/CheckedSink/config/validate", body)
        assert r.status == 200 and r.json["error_count"] == 0, r
        # an unresolvable variable is an error against its key
        body["password"] = "${env:SLUICE_TEST_NOT_SET}"
        r = w.request("PUT", "/connector-plugins/CheckedSink/config/validate", body)
        assert r.status == 200 and r.json["error_count"] == 1, r
        values = {c["value"]["name"]: c["value"] for c in r.json["configs"] if c["value"]}
        assert "SLUICE_TEST_NOT_SET is not set" in values["password"]["errors"][0]
    finally:
        assert w.stop() == 0, w.logs()
    assert_no_secret(w.logs_all(), tok, "the worker log")


@pytest.mark.parametrize("props,needle", [
    ({"config.providers": "vault", "config.providers.vault.class": "com.acme.VaultProvider"},
     "config.providers.vault.class: unknown config provider class 'com.acme.VaultProvider'"),
    ({"config.providers": "file"}, "config.providers.file.class: missing"),
    ({"config.providers": "file", "config.providers.file.class": "FileConfigProvider",
      "config.providers.file.param.allowed.paths": "/no/such/dir"},
     "config.providers.file.param.allowed.paths: Path /no/such/dir is not valid"),
    ({"config.providers": "env", "config.providers.env.class": "env",
      "config.providers.env.param.allowlist.pattern": "(oops"},
     "config.providers.env.param.allowlist.pattern: invalid regular expression"),
])
def test_bad_provider_config_stops_startup(build_dir, tmp_path, props, needle):
    # No Kafka needed: the worker refuses before it connects anywhere.
    w = Worker(build_dir, tmp_path, "127.0.0.1:1", extra=props)
    w.start(wait=False)
    try:
        rc = w.proc.wait(20)
    finally:
        w.stop()
    assert rc != 0
    assert needle in w.logs_all(), w.logs()


def test_distributed_config_topic_holds_placeholders(build_dir, kafka_mock_factory, tmp_path,
                                                     secret_setup):
    tok, secret_dir, sink_path = secret_setup
    kafka = kafka_mock_factory(topics=DISTRIBUTED_TOPICS + ["dprov:1"])
    extra = provider_props(secret_dir, str(build_dir / "plugins"))
    w = Worker(build_dir, tmp_path, kafka.bootstrap, extra=extra, distributed=True).start()
    try:
        # After the first session key: a connector created while that record is still being
        # processed is not rebalanced onto a single worker (reported to the lead).
        wait_for(lambda: "session key" in w.logs_all(), 60, 0.2, "the group to form")
        raw = sink_config(secret_dir, "dprov")
        r = w.request("POST", "/connectors", {"name": "sink", "config": raw})
        assert r.status == 201, r
        w.wait_running("sink", timeout=60)
        kcat_produce(kafka.bootstrap, "dprov", ["hello"])
        wait_for(lambda: read_lines(sink_path), 60, 0.2, "a record in the sink file")
        rec = json.loads(read_lines(sink_path)[0])
        assert rec == {"line": "hello", "e": tok["ENVSECRET"], "d": tok["DIRSECRET"]}
        r = w.get("/connectors/sink/tasks")
        assert r.status == 200 and r.json[0]["config"]["file"] == raw["file"], r
        # The leader wrote connector and task configs with the placeholders only.
        records = kcat_consume(kafka.bootstrap, "connect-configs")
        keys = [m["key"] for m in records]
        assert "connector-sink" in keys and "task-sink-0" in keys, keys
        task = next(m for m in records if m["key"] == "task-sink-0")
        assert json.loads(task["payload"])["properties"]["file"] == raw["file"]
        assert_no_secret(json.dumps(records), tok, "the config topic")
    finally:
        assert w.stop() == 0, w.logs()
    assert_no_secret(w.logs_all(), tok, "the worker log")
