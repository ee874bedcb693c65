"""Per-connector converters override the worker's: a source whose value.converter is the
JsonConverter with its schema envelope, on a worker whose converters are StringConverter, and a
sink reading JSON written by someone else (kcat) as schemaless values."""
import json

from conftest import kcat_consume, kcat_produce
from sluice import Worker, wait_for


def test_connector_converter_overrides_worker(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=["conv-json:1", "conv-in:1"])
    (tmp_path / "in.txt").write_text("alpha\nbeta\n")
    source = {"name": "json-source", "config": {
        "connector.class": "FileStreamSource", "file": str(tmp_path / "in.txt"),
        "topic": "conv-json",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "true"}}
    sink = {"name": "json-sink", "config": {
        "connector.class": "FileStreamSink", "file": str(tmp_path / "out.txt"),
        "topics": "conv-in",
        "value.converter": "JsonConverter", "value.converter.schemas.enable": "false"}}
    w = Worker(build_dir, tmp_path, kafka.bootstrap, [source, sink]).start()
    try:
        w.wait_running("json-source")
        w.wait_running("json-sink")
        records = wait_for(lambda: (lambda r: len(r) == 2 and r)(
            kcat_consume(kafka.bootstrap, "conv-json")), 30, 0.5, "two enveloped records")
        assert [json.loads(r["payload"]) for r in records] == [
            {"schema": {"type": "string", "optional": False}, "payload": "alpha"},
            {"schema": {"type": "string", "optional": False}, "payload": "beta"},
        ]
        kcat_produce(kafka.bootstrap, "conv-in", ['{"b":1,"a":[true,null]}', '"plain"'])
        wait_for(lambda: (tmp_path / "out.txt").exists() and
                 (tmp_path / "out.txt").read_text().count("\n") == 2, 30, 0.5, "two sink lines")
        # Schemaless JSON comes back as Connect values; the file sink writes their JSON form.
        assert (tmp_path / "out.txt").read_text() == '{"b":1,"a":[true,null]}\nplain\n'
    finally:
        assert w.stop() == 0, w.logs()
