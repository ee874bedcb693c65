"""A distributed test cluster: n sluice-worker processes with one group.id on kafka-mock, and
what tests ask of it (roles, RUNNING checks, who holds what)."""
import re

from sluice import Worker, wait_for


def role(worker):
    """"leader" or "follower" from the worker's last completed rebalance, or None."""
    found = re.findall(r"joined generation \d+ as (leader|follower)", worker.logs_all())
    return found[-1] if found else None


def all_running(worker, name, tasks):
    st = worker.connector_state(name)
    if not st or st["connector"]["state"] != "RUNNING" or len(st["tasks"]) != tasks:
        return None
    return st if all(t["state"] == "RUNNING" for t in st["tasks"]) else None


def start_cluster(build_dir, tmp_path, bootstrap, n=3, extra=None):
    workers = [Worker(build_dir, tmp_path, bootstrap, name=f"w{i}", distributed=True,
                      extra=extra) for i in range(n)]
    try:
        for w in workers:
            w.start()
        # One completed rebalance with every worker in it: one leader, n-1 followers.
        wait_for(lambda: sorted(role(w) or "" for w in workers) ==
                 ["follower"] * (n - 1) + ["leader"], 60, 0.2, "the group to form")
    except BaseException:
        for w in workers:  # the caller never gets them: stop them here
            w.stop()
        raise
    return workers


def worker_id(worker):
    return f"127.0.0.1:{worker.port}"


def holdings(worker, tasks):
    """{worker_id: sorted ["conn", "conn-N", ...]} from `worker`'s view of the statuses of the
    connectors in `tasks` ({name: task count}), or None while any instance is missing or not
    RUNNING."""
    held = {}
    for name, count in tasks.items():
        st = worker.connector_state(name)
        if not st or st["connector"]["state"] != "RUNNING" or len(st["tasks"]) != count:
            return None
        held.setdefault(st["connector"]["worker_id"], []).append(name)
        for t in st["tasks"]:
            if t["state"] != "RUNNING":
                return None
            held.setdefault(t["worker_id"], []).append(f"{name}-{t['id']}")
    return {k: sorted(v) for k, v in held.items()}


def task_starts(worker):
    """[(connector, task)] in the order `worker` started them (from its log)."""
    return [(c, int(t)) for c, t in re.findall(r"started task (\S+)-(\d+)\n", worker.logs_all())]
