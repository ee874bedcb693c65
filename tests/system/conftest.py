"""tests/system/conftest.py: shared fixtures for Sluice's system tests.
Build directory, free ports, the kafka-mock process, and kcat produce/consume helpers.

Run with the Debian interpreter: /usr/bin/python3 -m pytest -q tests/system
"""
import json
import os
import pathlib
import selectors
import shutil
import socket
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
KCAT = shutil.which("kcat") or shutil.which("kafkacat") or "kcat"


# ---------------------------------------------------------------------------------------------
# build directory and ports


def build_path():
    """The build directory: $SLUICE_BUILD, else <repo>/build (absolute)."""
    return pathlib.Path(os.environ.get("SLUICE_BUILD") or REPO / "build").resolve()


@pytest.fixture(scope="session")
def build_dir():
    """The build directory (pathlib.Path); fails clearly when nothing has been built there."""
    d = build_path()
    if not d.is_dir():
        pytest.fail(f"build directory {d} does not exist: run `make` (or set SLUICE_BUILD)")
    return d


def free_port(host="127.0.0.1"):
    """A TCP port on `host` that was free a moment ago (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture(name="free_port")
def free_port_fixture():
    """The free_port() helper, for tests that prefer a fixture to an import."""
    return free_port


# ---------------------------------------------------------------------------------------------
# line-oriented pipes with timeouts


class LineReader:
    """Reads lines from a pipe with a timeout (no blocking forever on a hung child)."""

    def __init__(self, pipe):
        self._fd = pipe.fileno()
        self._buf = b""
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self.eof = False

    def readline(self, timeout):
        """The next line without its newline, or None on EOF; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            if self.eof:
                if self._buf:
                    line, self._buf = self._buf, b""
                    return line.decode(errors="replace")
                return None
            left = deadline - time.monotonic()
            if left <= 0 or not self._sel.select(left):
                raise TimeoutError(f"no line within {timeout}s")
            chunk = os.read(self._fd, 65536)
            if not chunk:
                self.eof = True
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode(errors="replace")

    def close(self):
        self._sel.close()


def stop_process(proc, timeout=10.0):
    """SIGTERM, wait, then SIGKILL if needed. Returns the exit code. Safe on exited processes."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    return proc.returncode


# ---------------------------------------------------------------------------------------------
# kafka-mock


class KafkaMock:
    """A running build/bin/kafka-mock: .bootstrap, .command(line), .stop().

    stdout carries the bootstrap line and then one reply line per command; stderr goes to
    `log_path`, which .log() returns (shown when start-up fails)."""

    def __init__(self, binary, brokers=3, topics=(), log_path=None, startup_timeout=15.0):
        self.binary = str(binary)
        self.brokers = brokers
        self.topics = list(topics)
        self.log_path = pathlib.Path(log_path) if log_path else None
        args = [self.binary, "--brokers", str(brokers)]
        for t in self.topics:
            args += ["--topic", t]
        self._log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log
        )
        self._out = LineReader(self.proc.stdout)
        try:
            line = self._out.readline(startup_timeout)
        except TimeoutError:
            line = None
        if not line:
            rc = stop_process(self.proc)
            self._close_files()
            raise RuntimeError(f"kafka-mock did not start (exit {rc}): {self.log()}")
        self.bootstrap = line.strip()

    def command(self, line, timeout=10.0):
        """Send one command line; return the reply line ("ok" or "error: ...")."""
        if "\n" in line:
            raise ValueError("one command per call")
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        reply = self._out.readline(timeout)
        if reply is None:
            raise RuntimeError(f"kafka-mock exited while answering {line!r}: {self.log()}")
        return reply

    def ok(self, line, timeout=10.0):
        """command() that asserts the reply is "ok"."""
        reply = self.command(line, timeout)
        assert reply == "ok", f"kafka-mock {line!r} -> {reply!r}"

    def close_stdin(self):
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass

    def stop(self, timeout=10.0):
        """Shut down: stdin EOF first (the clean path), then SIGTERM/SIGKILL. Returns the exit
        code. Idempotent."""
        self.close_stdin()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        rc = stop_process(self.proc, timeout)
        self._close_files()
        return rc

    def log(self):
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-4000:]
        return ""

    def _close_files(self):
        self._out.close()
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        if self._log is not subprocess.DEVNULL and not self._log.closed:
            self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "kafka_mock(brokers=3, topics=()): options for the kafka_mock fixture",
    )


@pytest.fixture
def kafka_mock_factory(build_dir, tmp_path):
    """Start kafka-mock processes: factory(brokers=3, topics=("name:partitions", ...)).
    Every process is stopped in teardown, whatever the test's outcome."""
    binary = build_dir / "bin" / "kafka-mock"
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `make`")
    started = []

    def factory(brokers=3, topics=()):
        m = KafkaMock(binary, brokers, topics, tmp_path / f"kafka-mock-{len(started)}.log")
        started.append(m)
        return m

    yield factory
    for m in started:
        m.stop()


@pytest.fixture
def kafka_mock(request, kafka_mock_factory):
    """A running kafka-mock (3 brokers unless @pytest.mark.kafka_mock(brokers=..., topics=...))."""
    marker = request.node.get_closest_marker("kafka_mock")
    kwargs = dict(marker.kwargs) if marker else {}
    return kafka_mock_factory(**kwargs)


# ---------------------------------------------------------------------------------------------
# kcat


def kcat_produce(bootstrap, topic, messages, key_delim=None, partition=None, extra=(),
                 timeout=60):
    """Produce `messages` (str, one per message, no newlines) with kcat, waiting for delivery.
    With key_delim, each message is "key<delim>value". Raises on failure."""
    msgs = list(messages)
    for m in msgs:
        if "\n" in m:
            raise ValueError("kcat_produce sends one message per line; no newlines")
    args = [KCAT, "-b", bootstrap, "-P", "-t", topic]
    if key_delim is not None:
        args += ["-K", key_delim]
    if partition is not None:
        args += ["-p", str(partition)]
    args += list(extra)
    data = "".join(m + "\n" for m in msgs).encode()
    r = subprocess.run(args, input=data, capture_output=True, timeout=timeout)
    if r.returncode != 0 or b"Delivery failed" in r.stderr or b"ERROR" in r.stderr:
        raise RuntimeError(f"kcat produce to {topic} failed ({r.returncode}): "
                           f"{r.stderr.decode(errors='replace')[-2000:]}")


def kcat_consume(bootstrap, topic, count=None, offset="beginning", extra=(), timeout=60):
    """Consume `topic` from `offset` until the end of every partition (or `count` messages)
    with kcat. Returns a list of dicts: topic, partition, offset, key, payload, headers, ts."""
    args = [KCAT, "-b", bootstrap, "-C", "-t", topic, "-o", str(offset), "-e", "-J", "-q"]
    if count is not None:
        args += ["-c", str(count)]
    args += list(extra)
    r = subprocess.run(args, capture_output=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"kcat consume from {topic} failed ({r.returncode}): "
                           f"{r.stderr.decode(errors='replace')[-2000:]}")
    return [json.loads(line) for line in r.stdout.decode().splitlines() if line.strip()]


def kcat_metadata(bootstrap, topic=None, timeout=30):
    """Cluster metadata as kcat -L -J reports it (dict with "brokers" and "topics")."""
    args = [KCAT, "-b", bootstrap, "-L", "-J"]
    if topic:
        args += ["-t", topic]
    r = subprocess.run(args, capture_output=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"kcat -L failed ({r.returncode}): "
                           f"{r.stderr.decode(errors='replace')[-2000:]}")
    return json.loads(r.stdout)
