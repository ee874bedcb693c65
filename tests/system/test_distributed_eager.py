"""connect.protocol=eager (Connect's protocol before KIP-415): every rebalance revokes
everything and the leader assigns round-robin; two workers share a connector's tasks, a
SIGKILLed worker's tasks move to the survivor, and nothing is lost."""
import time

from cluster import holdings, role, start_cluster, worker_id
from sluice import DISTRIBUTED_TOPICS, wait_for
from verifiable_counts import TOPIC, check, pause_source

TASKS = 4
EXPECT = {"vsource": TASKS, "vsink": TASKS}


def test_eager_protocol_spreads_and_fails_over(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=DISTRIBUTED_TOPICS + [f"{TOPIC}:4"])
    workers = start_cluster(build_dir, tmp_path, kafka.bootstrap, n=2, extra={
        "connect.protocol": "eager", "session.timeout.ms": "4000"})
    try:
        assert "protocol default" in workers[0].logs_all(), "not the eager (default) protocol"
        for name, config in (
                ("vsource", {"connector.class": "VerifiableSource", "tasks.max": str(TASKS),
                             "topic": TOPIC, "throughput": "50"}),
                ("vsink", {"connector.class": "VerifiableSink", "tasks.max": str(TASKS),
                           "topics": TOPIC, "file": str(tmp_path / "sink-{task}.jsonl")})):
            assert workers[0].request("PUT", f"/connectors/{name}/config", config).status == 201

        def spread(ws, n):
            views = [holdings(w, EXPECT) for w in ws]
            return views[0] if all(v and len(v) == n and v == views[0] for v in views) else None
        held = wait_for(lambda: spread(workers, 2), 90, 0.3, "work on both workers")
        assert sorted(len(v) for v in held.values()) == [5, 5], held  # round-robin: 10 over 2

        victim = next(w for w in workers if role(w) == "follower")
        survivor = next(w for w in workers if w is not victim)
        victim.kill()
        t0 = time.time()
        after = wait_for(lambda: spread([survivor], 1), 60, 0.3, "work on the survivor")
        print(f"\neager: SIGKILL -> all RUNNING on the survivor in {time.time() - t0:.1f} s")
        assert list(after) == [worker_id(survivor)]
        time.sleep(3)
        pause_source(survivor)
        check(tmp_path, kafka.bootstrap, "eager, SIGKILL", TASKS)
    finally:
        for w in workers:
            w.stop()
