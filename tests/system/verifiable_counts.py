"""Counting VerifiableSource seqnos end to end: what the source produced (read back from the
topic) against what VerifiableSink tasks wrote to their files, per source task: lost (must be
0) and duplicated records. Shared by the standalone and distributed tests."""
import collections
import glob
import json

from conftest import kcat_consume
from sluice import wait_for

TOPIC = "verifiable"


def sink_seen(tmp_path, topic=TOPIC, name="vsink"):
    """{source task: Counter(seqno -> times received)} from every sink task's file."""
    seen = collections.defaultdict(collections.Counter)
    for path in glob.glob(str(tmp_path / "sink-*.jsonl")):
        with open(path) as f:
            for line in f:
                if line.endswith("\n"):  # a line being written is counted next time
                    rec = json.loads(line)
                    assert rec["topic"] == topic and rec["name"] == name, rec
                    seen[rec["task"]][rec["seqno"]] += 1
    return seen


def topic_produced(bootstrap, topic=TOPIC):
    """{source task: Counter(seqno -> copies in the topic)}: what the source really produced."""
    produced = collections.defaultdict(collections.Counter)
    for m in kcat_consume(bootstrap, topic):
        value = json.loads(m["payload"])
        if isinstance(value, dict) and "payload" in value:  # schemaful envelope
            value = value["payload"]
        if isinstance(value, dict):
            task, seqno = value["task"], value["seqno"]
        else:
            task, seqno = json.loads(m["key"]), value
        produced[task][seqno] += 1
    return produced


def pause_source(w, name="vsource"):
    assert w.request("PUT", f"/connectors/{name}/pause").status == 202
    wait_for(lambda: all(t["state"] == "PAUSED"
                         for t in w.connector_state(name)["tasks"]), 30, 0.2,
             "source tasks PAUSED")


def settled_topic(bootstrap, topic=TOPIC):
    """The topic's contents once the paused source's last records have landed."""
    last = None

    def stable():
        nonlocal last
        now = topic_produced(bootstrap, topic)
        done = now == last
        last = now
        return done
    wait_for(stable, 60, 1.0, "the topic to stop growing")
    return last


def check(tmp_path, bootstrap, label, tasks, topic=TOPIC):
    """Wait for the sink to hold everything in the topic; assert no gap and no loss; print
    the counts. Returns {task: highest seqno}."""
    produced = settled_topic(bootstrap, topic)
    assert sorted(produced) == list(range(tasks)), produced.keys()

    def caught_up():
        seen = sink_seen(tmp_path, topic)
        return all(set(produced[t]) <= set(seen[t]) for t in produced)
    wait_for(caught_up, 60, 0.5, "the sink to receive every produced seqno")
    seen = sink_seen(tmp_path, topic)
    top = {}
    for t in range(tasks):
        n = max(produced[t]) + 1
        # The source never skips a seqno, and its offsets made it resume, not restart.
        assert set(produced[t]) == set(range(n)), f"task {t}: gap in the source's seqnos"
        assert produced[t][0] == 1, f"task {t}: seqno 0 produced {produced[t][0]} times"
        lost = n - len(set(seen[t]) & set(range(n)))
        src_dup = sum(produced[t].values()) - n
        sink_dup = sum(seen[t][s] for s in range(n)) - n
        print(f"\n{label}: task {t}: seqnos 0..{n - 1} lost={lost} "
              f"duplicates: produced={src_dup} received={sink_dup}")
        assert lost == 0
        top[t] = n - 1
    return top
