"""Helpers for the REST security and admin system tests: certificates made with the openssl CLI
at test time, HTTP(S) requests with a CA, client certificates, basic auth and extra headers, and
Worker variants that talk https or send credentials."""
import base64
import json
import os
import ssl
import subprocess
import urllib.error
import urllib.request

from sluice import Response, Worker


def openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr.decode(errors='replace')}")


def self_signed(directory, name, cn, san=None):
    """A self-signed EC certificate: returns (cert.pem, key.pem, combined.pem) paths, the last
    holding the certificate and then the key, as keystore.location takes it."""
    d = str(directory)
    cert, key, both = (os.path.join(d, f"{name}{s}") for s in (".crt", ".key", ".pem"))
    args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={cn}"]
    if san:
        args += ["-addext", f"subjectAltName={san}"]
    openssl(*args, cwd=d)
    with open(both, "wb") as out:
        for p in (cert, key):
            with open(p, "rb") as f:
                out.write(f.read())
    return cert, key, both


def pkcs12(directory, name, cert, key, password):
    path = os.path.join(str(directory), f"{name}.p12")
    openssl("pkcs12", "-export", "-in", cert, "-inkey", key, "-out", path, "-passout",
            f"pass:{password}", "-name", name, cwd=str(directory))
    return path


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def request(method, url, body=None, headers=None, cafile=None, cert=None, key=None, raw=None,
            timeout=30):
    """One HTTP(S) request; a Response for every status. TLS failures raise ssl.SSLError or
    URLError (the caller asserts on them)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    ctx = None
    if url.startswith("https://"):
        ctx = ssl.create_default_context(cafile=cafile)
        if cert:
            ctx.load_cert_chain(cert, key)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return Response(r.status, r.read(), r.headers)
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read(), e.headers)


class HttpsWorker(Worker):
    """A standalone worker on an https listener; requests trust `cafile` and present the
    client certificate (cert, key) when given."""

    def __init__(self, build_dir, workdir, bootstrap, cafile, cert=None, key=None, extra=None,
                 **kw):
        super().__init__(build_dir, workdir, bootstrap, extra=extra, **kw)
        # The base class writes an http listener on its free port: make it https.
        with open(self.props_path) as f:
            text = f.read()
        with open(self.props_path, "w") as f:
            f.write(text.replace(f"listeners=http://127.0.0.1:{self.port}",
                                 f"listeners=https://127.0.0.1:{self.port}"))
        self.url = f"https://127.0.0.1:{self.port}"
        self.cafile, self.cert, self.key = cafile, cert, key

    def request(self, method, path, body=None, **kw):
        return request(method, self.url + path, body, cafile=self.cafile, cert=self.cert,
                       key=self.key, **kw)


class AuthWorker(Worker):
    """A standalone worker whose requests carry basic credentials by default."""

    def __init__(self, build_dir, workdir, bootstrap, user, password, extra=None, **kw):
        super().__init__(build_dir, workdir, bootstrap, extra=extra, **kw)
        self.auth = basic(user, password)

    def request(self, method, path, body=None, headers=None, **kw):
        h = {"Authorization": self.auth}
        h.update(headers or {})
        return request(method, self.url + path, body, headers=h, **kw)


def assert_error(r, status, message=None):
    assert r.status == status, r
    assert r.json is not None and set(r.json) == {"error_code", "message"}, r
    assert r.json["error_code"] == status, r
    if message is not None:
        assert message in r.json["message"], r
