"""Helpers for system tests: start sluice-worker processes and talk to their REST API.

Every process started here is killed in stop() (and by the fixtures' teardown), even when a
test fails, so no worker outlives its test.
"""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from conftest import free_port



class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.text = body.decode("utf-8", "replace")
        self.headers = headers
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<{self.status} {self.text[:300]}>"


def http(method, url, body=None, content_type="application/json", timeout=30, raw=None):
    """One HTTP request; returns Response for every status (no exceptions for 4xx/5xx)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None and content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read(), r.headers)
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read(), e.headers)


def wait_for(predicate, timeout, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


# Worker properties of a distributed-mode test cluster: the internal topics kafka-mock
# pre-creates (it does not answer CreateTopics) and short group timeouts (the mock needs a few
# seconds per join).
DISTRIBUTED_DEFAULTS = {
    "group.id": "sluice-cluster",
    "config.storage.topic": "connect-configs",
    "offset.storage.topic": "connect-offsets",
    "status.storage.topic": "connect-status",
    "config.storage.replication.factor": "1",
    "offset.storage.replication.factor": "1",
    "status.storage.replication.factor": "1",
    "session.timeout.ms": "6000",
    "heartbeat.interval.ms": "1000",
    "rebalance.timeout.ms": "10000",
    "scheduled.rebalance.max.delay.ms": "0",
}
# kafka-mock --topic arguments for the internal topics above.
DISTRIBUTED_TOPICS = ["connect-configs:1", "connect-offsets:5", "connect-status:3"]


class Worker:
    """A sluice-worker process on a free loopback port: --standalone mode, or distributed
    mode (connect-distributed) with distributed=True, where `extra` overrides
    DISTRIBUTED_DEFAULTS and connector files are not accepted."""

    def __init__(self, build_dir, workdir, bootstrap, connectors=(), extra=None, name="worker",
                 distributed=False):
        self.build_dir = build_dir
        self.distributed = distributed
        self.workdir = str(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.props_path = os.path.join(self.workdir, f"{name}.properties")
        self.log_path = os.path.join(self.workdir, f"{name}.log")
        props = {
            "bootstrap.servers": bootstrap,
            "listeners": f"http://127.0.0.1:{self.port}",
            "plugin.path": os.path.join(build_dir, "plugins"),
            "offset.storage.file.filename": os.path.join(self.workdir, f"{name}.offsets"),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "offset.flush.interval.ms": "1000",
            # A restarted sink rejoins its group quickly (the mock waits a full session).
            "consumer.session.timeout.ms": "6000",
        }
        if distributed:
            del props["offset.storage.file.filename"]
            props.update(DISTRIBUTED_DEFAULTS)
        props.update(extra or {})
        with open(self.props_path, "w") as f:
            for k, v in props.items():
                f.write(f"{k}={v}\n")
        self.connector_files = []
        for i, conf in enumerate(connectors):
            path = os.path.join(self.workdir, f"{name}-conn{i}.json")
            with open(path, "w") as f:
                json.dump(conf, f)
            self.connector_files.append(path)
        self.proc = None

    def start(self, wait=True):
        binary = os.path.join(self.build_dir, "bin", "sluice-worker")
        if self.distributed:
            cmd = [binary, self.props_path]
        else:
            cmd = [binary, "--standalone", self.props_path] + self.connector_files
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                return self.get("/").status == 200
            except OSError:
                return False
        wait_for(up, timeout, what="worker REST")

    def logs(self):
        """The end of the log (for assertion messages)."""
        return self.logs_all()[-8000:]

    def logs_all(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, body=None, **kw):
        return http(method, self.url + path, body, **kw)

    def get(self, path):
        return self.request("GET", path)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout=30):
        """Graceful stop (SIGTERM); SIGKILL if it does not exit in time. Returns exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        return self.proc.returncode

    def connector_state(self, name):
        r = self.get(f"/connectors/{name}/status")
        return r.json if r.status == 200 else None

    def wait_running(self, name, tasks=1, timeout=30):
        def running():
            st = self.connector_state(name)
            return (st and st["connector"]["state"] == "RUNNING" and len(st["tasks"]) == tasks
                    and all(t["state"] == "RUNNING" for t in st["tasks"]))
        return wait_for(running, timeout, what=f"{name} RUNNING")
