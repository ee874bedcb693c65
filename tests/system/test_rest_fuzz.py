"""The REST API under a body and header fuzzer (issue 4): random and truncated JSON, wrong
types, huge bodies, bad UTF-8, odd headers and unknown methods, for a bounded number of
requests against a two-worker cluster; afterwards every worker still answers GET / and the
connectors that existed before keep exactly their configs."""
import json
import os
import random
import socket

from cluster import start_cluster
from sluice import DISTRIBUTED_TOPICS, wait_for

REQUESTS = int(os.environ.get("SLUICE_FUZZ_REQUESTS", "600"))
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] * 4 + [
    "OPTIONS", "HEAD", "TRACE", "FOO", "get", "CONNECT", "PROPFIND"]
KNOWN_STATUSES = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 411, 413, 414, 415, 431,
                  500, 501, 503}
PATHS = ["/", "/health", "/connectors", "/connectors/{n}", "/connectors/{n}/config",
         "/connectors/{n}/status", "/connectors/{n}/tasks", "/connectors/{n}/tasks/{i}/status",
         "/connectors/{n}/restart", "/connectors/{n}/tasks/{i}/restart",
         "/connectors/{n}/pause", "/connectors/{n}/resume", "/connectors/{n}/stop",
         "/connectors/{n}/topics", "/connectors/{n}/topics/reset", "/connectors/{n}/offsets",
         "/connector-plugins", "/connector-plugins/{n}/config",
         "/connector-plugins/{n}/config/validate", "/admin/loggers", "/admin/loggers/{n}",
         "/openapi.json", "/connectors/{n}/tasks", "//connectors", "/connectors/%00",
         "/connectors?expand={n}", "/connectors/{n}/restart?includeTasks={n}&onlyFailed=1"]
KEEP = ["keep-a", "keep-b"]


def rand_name(rng):
    pick = rng.randrange(6)
    if pick == 0:
        return "".join(rng.choice("abc-_.%/ ") for _ in range(rng.randrange(1, 12)))
    if pick == 1:
        return "%" + "".join(rng.choice("0123456789abcdefXYZ") for _ in range(2))
    if pick == 2:
        return "x" * rng.randrange(1, 5000)
    if pick == 3:
        return str(rng.randrange(-5, 1 << 40))
    return f"fz-{rng.randrange(50)}"


def rand_json(rng, depth=0):
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1 << 63, 3.5, 1e308])
    if kind == 3:
        return "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(20)))
    if kind == 4:
        return rng.choice(["connector.class", "FileStreamSink", "topics", "name", "offsets"])
    if kind == 5:
        return [rand_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    keys = ["name", "config", "connector.class", "tasks.max", "topics", "level", "offsets",
            "partition", "offset", "initial_state", "x" * rng.randrange(1, 300)]
    return {rng.choice(keys): rand_json(rng, depth + 1) for _ in range(rng.randrange(6))}


def rand_body(rng):
    kind = rng.randrange(9)
    if kind == 0:
        return b""
    if kind == 1:
        return json.dumps(rand_json(rng)).encode()
    if kind == 2:  # truncated
        text = json.dumps(rand_json(rng)).encode()
        return text[:rng.randrange(len(text) + 1)]
    if kind == 3:  # bad UTF-8 inside a string
        return b'{"name":"\xff\xfe\xc3","config":{"connector.class":"\xed\xa0\x80"}}'
    if kind == 4:  # wrong types
        return json.dumps(rng.choice([{"name": 5, "config": []}, {"config": "x"}, [1, 2],
                                      {"offsets": {"a": 1}}, {"level": 7}, "str", 12])).encode()
    if kind == 5:  # huge (over the 10 MiB default limit about half the time)
        return b'{"name":"' + b"a" * rng.choice([1 << 16, 11 << 20]) + b'"}'
    if kind == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    if kind == 7:  # deeply nested
        n = rng.choice([100, 10000])
        return b"[" * n + b"]" * n
    return json.dumps({"name": rand_name(rng), "config": {
        "connector.class": rng.choice(["FileStreamSink", "Nope", ""]),
        "topics": "t", "file": "/dev/null", "tasks.max": rng.choice(["1", "-3", "x"])}}).encode()


def send(port, method, path, body, headers):
    """One raw HTTP/1.1 request; returns the status code, or None when the server closed the
    connection without one (allowed for garbage) — the worker must stay up either way."""
    req = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode(
        "latin-1", "replace")
    for k, v in headers.items():
        req += k + b": " + v + b"\r\n"
    req += b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        try:
            s.sendall(req)
        except OSError:
            pass  # the server may answer 413 and close before the body is in
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def rand_headers(rng):
    h = {}
    pick = rng.randrange(6)
    if pick == 0:
        h[b"Content-Type"] = rng.choice([b"application/json", b"text/plain", b"\xff\xfe",
                                         b"application/json; charset=latin1"])
    elif pick == 1:
        h[b"Authorization"] = b"Basic " + bytes(rng.randrange(33, 127) for _ in range(20))
    elif pick == 2:
        h[b"X-Connect-Authorization"] = b"AAAA"
        h[b"X-Connect-Request-Signature-Algorithm"] = rng.choice([b"HmacSHA256", b"MD5"])
    elif pick == 3:
        h[b"X-Long"] = b"v" * rng.choice([100, 9000])
    elif pick == 4:
        h[b"Origin"] = b"http://evil.example"
    return h


def test_fuzz_leaves_workers_up_and_configs_intact(build_dir, kafka_mock_factory, tmp_path):
    seed = int(os.environ.get("SLUICE_FUZZ_SEED", random.randrange(1 << 30)))
    print(f"\nfuzz seed {seed} ({REQUESTS} requests)")
    rng = random.Random(seed)
    kafka = kafka_mock_factory(topics=DISTRIBUTED_TOPICS + ["t:1"])
    workers = start_cluster(build_dir, tmp_path, kafka.bootstrap, n=2)
    try:
        for name in KEEP:
            r = workers[0].request("PUT", f"/connectors/{name}/config", {
                "connector.class": "FileStreamSink", "topics": "t",
                "file": str(tmp_path / f"{name}.out")})
            assert r.status == 201, r
        before = {n: wait_for(lambda: (lambda r: r.json if r.status == 200 else None)(
            workers[1].get(f"/connectors/{n}/config")), 60, 0.3, n) for n in KEEP}

        statuses = {}
        for i in range(REQUESTS):
            w = rng.choice(workers)
            path = rng.choice(PATHS).replace("{n}", rand_name(rng)).replace(
                "{i}", str(rng.randrange(-2, 4)))
            if rng.randrange(10) == 0:
                path += "?" + rand_name(rng) + "=" + rand_name(rng)
            method = rng.choice(METHODS)
            status = send(w.port, method, path, rand_body(rng), rand_headers(rng))
            statuses[status] = statuses.get(status, 0) + 1
            assert status is None or status in KNOWN_STATUSES, (method, path, status)
            assert w.proc.poll() is None, f"worker died at request {i}: {method} {path}"
        print(f"status counts: {dict(sorted(statuses.items(), key=str))}")

        for w in workers:
            assert w.get("/").status == 200
        for n in KEEP:
            for w in workers:
                r = wait_for(lambda: (lambda r: r if r.status != 500 else None)(
                    w.get(f"/connectors/{n}/config")), 60, 0.3, n)
                assert r.status == 200 and r.json == before[n], (n, r, before[n])
    finally:
        for w in workers:
            assert w.stop() == 0, w.logs()
