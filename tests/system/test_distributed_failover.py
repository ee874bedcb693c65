"""Distributed mode under failure (issue 3): VerifiableSource and VerifiableSink with
tasks.max=6 spread over three workers; a SIGKILLed worker's work moves to the survivors within
session.timeout.ms + 5 s (delay 0) or after scheduled.rebalance.max.delay.ms; the returning
worker gets work back without the others restarting what stays with them; a full stop and
start brings back every config, paused state and source offset; lost (0) and duplicated
records are counted across all of it."""
import os
import time

from cluster import holdings, role, start_cluster, task_starts, worker_id
from sluice import DISTRIBUTED_TOPICS, wait_for
from verifiable_counts import TOPIC, check, pause_source, sink_seen

TASKS = 6
# session.timeout.ms of the failover test. On kafka-mock a rebalance after a member is lost
# waits session.timeout.ms - 1 s for it before completing (a real broker completes as soon as
# the survivors have rejoined), so failover there takes about twice the session timeout: 4 s
# keeps that within the bound of session.timeout.ms + 5 s.
SESSION_S = int(os.environ.get("SLUICE_FAILOVER_SESSION_MS", "4000")) / 1000
NAMES = ["vsource", "vsink"]
EXPECT = {"vsource": TASKS, "vsink": TASKS}


def create_pipeline(worker, tmp_path):
    src = {"connector.class": "VerifiableSource", "tasks.max": str(TASKS), "topic": TOPIC,
           "throughput": "50"}
    sink = {"connector.class": "VerifiableSink", "tasks.max": str(TASKS), "topics": TOPIC,
            "file": str(tmp_path / "sink-{task}.jsonl")}
    for name, config in (("vsource", src), ("vsink", sink)):
        r = worker.request("PUT", f"/connectors/{name}/config", config)
        assert r.status == 201, r


def get_settled(worker, path):
    """GET, asking again while the worker answers Connect's 500 "a rebalance is expected"
    (a config change being picked up)."""
    return wait_for(lambda: (lambda r: r if r.status != 500 else None)(worker.get(path)),
                    30, 0.2, f"GET {path}")


def settled(workers, n_workers, timeout=60):
    """The holdings once every instance RUNS on `n_workers` distinct workers, seen alike by
    every worker given."""
    def same():
        views = [holdings(w, EXPECT) for w in workers]
        if any(v is None or len(v) != n_workers for v in views):
            return None
        return views[0] if all(v == views[0] for v in views) else None
    return wait_for(same, timeout, 0.2, f"work RUNNING on {n_workers} workers")


def test_spread_failover_return_and_counts(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=DISTRIBUTED_TOPICS + [f"{TOPIC}:6"])
    workers = start_cluster(build_dir, tmp_path, kafka.bootstrap,
                            extra={"session.timeout.ms": str(int(SESSION_S * 1000))})
    try:
        create_pipeline(workers[1], tmp_path)
        # 2 connectors + 12 tasks over 3 workers: 4 or 5 each, and each worker runs tasks of
        # both connectors. The incremental protocol may get there in more than one round
        # (new tasks first, then revocations to balance), so wait for the balanced view.
        held = wait_for(lambda: (lambda v: v if sorted(len(x) for x in v.values()) == [4, 5, 5]
                                 else None)(settled(workers, 3)), 90, 0.5, "a balanced spread")
        print(f"\nassignment: { {k: len(v) for k, v in held.items()} }")
        for items in held.values():
            for name in NAMES:
                assert any(i.startswith(f"{name}-") for i in items), held
        wait_for(lambda: all(len(sink_seen(tmp_path)[t]) >= 100 for t in range(TASKS)),
                 60, 0.5, "100 seqnos per source task in the sink")

        # SIGKILL the worker holding the most tasks (never the only copy of anything).
        victim = max(workers, key=lambda w: len(held[worker_id(w)]))
        survivors = [w for w in workers if w is not victim]
        starts_before = {worker_id(w): len(task_starts(w)) for w in survivors}
        victim.kill()
        t0 = time.time()
        after_kill = settled(survivors, 2, timeout=SESSION_S + 40)
        failover = time.time() - t0
        print(f"SIGKILL -> every task RUNNING on the survivors in {failover:.1f} s "
              f"(session.timeout.ms {SESSION_S} s)")
        # The bound is session.timeout.ms + 5 s; 3 s more for a loaded CI machine or ASan.
        print(f"bound session.timeout.ms + 5 s {'met' if failover <= SESSION_S + 5 else 'MISSED'}")
        assert failover <= SESSION_S + 5 + 3, "failover beyond session.timeout.ms + 5 s"
        # The survivors kept what they had: only the victim's work was started anew.
        for w in survivors:
            mine = set(held[worker_id(w)])
            assert mine <= set(after_kill[worker_id(w)]), (held, after_kill)
            new_starts = task_starts(w)[starts_before[worker_id(w)]:]
            assert not {f"{c}-{t}" for c, t in new_starts} & mine, new_starts

        # The worker comes back (a new process, same URL): the cooperative protocol hands it
        # work back, and the survivors stop only what moves to it.
        starts_before = {worker_id(w): len(task_starts(w)) for w in survivors}
        victim.start()
        t0 = time.time()
        back = wait_for(lambda: (lambda v: v if sorted(len(x) for x in v.values()) == [4, 5, 5]
                                 else None)(settled(workers, 3)), 90, 0.5, "balanced again")
        print(f"worker rejoined -> balanced again in {time.time() - t0:.1f} s: "
              f"{ {k: len(v) for k, v in back.items()} }")
        for w in survivors:
            kept = set(after_kill[worker_id(w)]) & set(back[worker_id(w)])
            restarted = {f"{c}-{t}" for c, t in task_starts(w)[starts_before[worker_id(w)]:]}
            assert not restarted & kept, f"{worker_id(w)} restarted tasks it kept: {restarted}"

        pause_source(workers[0])
        check(tmp_path, kafka.bootstrap, "3 workers, SIGKILL + return", TASKS)
    finally:
        for w in workers:
            w.stop()


def test_scheduled_delay_waits_for_the_lost_worker(build_dir, kafka_mock_factory, tmp_path):
    delay_s = 8
    kafka = kafka_mock_factory(topics=DISTRIBUTED_TOPICS + [f"{TOPIC}:6"])
    workers = start_cluster(build_dir, tmp_path, kafka.bootstrap,
                            extra={"scheduled.rebalance.max.delay.ms": str(delay_s * 1000)})
    try:
        create_pipeline(workers[0], tmp_path)
        held = settled(workers, 3)
        victim = workers[2]
        victim_id = worker_id(victim)
        survivors = workers[:2]
        victim.kill()
        t0 = time.time()

        # The lost work stays unassigned while the delay runs (its statuses keep naming the
        # dead worker or turn UNASSIGNED), then moves.
        time.sleep(SESSION_S + 2)
        st = holdings(survivors[0], EXPECT)
        assert st is None or victim_id in st, "work moved before the scheduled delay"
        after = settled(survivors, 2, timeout=SESSION_S + delay_s + 40)
        moved_at = time.time() - t0
        print(f"\nSIGKILL with delay {delay_s} s -> work moved after {moved_at:.1f} s")
        assert moved_at >= delay_s, moved_at
        assert sorted(i for v in after.values() for i in v) == \
            sorted(i for v in held.values() for i in v)
    finally:
        for w in workers:
            w.stop()


def test_full_stop_and_start_restores_everything(build_dir, kafka_mock_factory, tmp_path):
    kafka = kafka_mock_factory(topics=DISTRIBUTED_TOPICS + [f"{TOPIC}:6"])
    workers = start_cluster(build_dir, tmp_path, kafka.bootstrap)
    try:
        create_pipeline(workers[0], tmp_path)
        r = workers[1].request("PUT", "/connectors/parked/config", {
            "connector.class": "VerifiableSink", "tasks.max": "2", "topics": "parked",
            "file": str(tmp_path / "parked.jsonl")})
        assert r.status == 201, r
        settled(workers, 3)
        assert workers[2].request("PUT", "/connectors/parked/pause").status == 202
        wait_for(lambda: (workers[0].connector_state("parked") or {}).get("connector", {})
                 .get("state") == "PAUSED", 30, 0.2, "parked PAUSED")
        wait_for(lambda: all(len(sink_seen(tmp_path)[t]) >= 100 for t in range(TASKS)),
                 60, 0.5, "100 seqnos per source task")
        configs = {n: get_settled(workers[0], f"/connectors/{n}").json
                   for n in NAMES + ["parked"]}
        for w in workers:
            assert w.stop() == 0, w.logs()
        at_stop = {t: max(s) for t, s in sink_seen(tmp_path).items()}

        for w in workers:
            w.start()
        wait_for(lambda: sorted(role(w) or "" for w in workers) ==
                 ["follower", "follower", "leader"], 60, 0.2, "the group to re-form")
        settled(workers, 3)
        for n, info in configs.items():
            # (500 "rebalance is expected" is Connect's answer while a config change is being
            # picked up: ask again.)
            r = get_settled(workers[1], f"/connectors/{n}")
            assert r.status == 200 and r.json == info, (n, r, info)
        st = workers[2].connector_state("parked")
        assert st["connector"]["state"] == "PAUSED", st
        assert [t["state"] for t in st["tasks"]] == ["PAUSED", "PAUSED"], st
        # Sources resume from their offsets: new seqnos follow the old ones.
        wait_for(lambda: all(max(sink_seen(tmp_path)[t]) >= at_stop[t] + 50
                             for t in range(TASKS)), 60, 0.5, "progress after the restart")
        pause_source(workers[0])
        top = check(tmp_path, kafka.bootstrap, "full stop and start", TASKS)
        assert all(top[t] > at_stop[t] for t in range(TASKS))
    finally:
        for w in workers:
            w.stop()
