"""tests/system/pgserver.py: a private PostgreSQL server for tests and benchmarks.

initdb into a fresh temporary directory, started on 127.0.0.1 and a free port with its unix
socket inside that directory and fsync off, stopped with `pg_ctl stop -m immediate` and the
directory removed, also when a test fails. As root, the server runs as the `postgres` user
(PostgreSQL refuses to run as root). Only the standard library is used (psycopg is not
installed): SQL goes through psql.

As a module:   with PgServer() as pg: pg.sql("select 1")   (or the pg_server fixture)
As a program:  pgserver.py start   -> prints DIR, PORT, URL lines (shell-friendly); the server
               keeps running until  pgserver.py stop DIR
"""
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile

PG_BIN = pathlib.Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PSQL = shutil.which("psql") or str(PG_BIN / "psql")
RUN_AS = "postgres"


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd):
    """Run the server binaries as `postgres` when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", RUN_AS, "--"] + cmd
    return cmd


class PgServer:
    """A running private server: .port, .dir, .url(db), .conninfo(db), .sql(), .stop()."""

    def __init__(self, base=None, port=None, start=True):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="sluice-pg-", dir=base))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = port or _free_port()
        self.running = False
        if start:
            try:
                self.start()
            except BaseException:
                self.stop()
                raise

    @classmethod
    def attach(cls, directory):
        """The server started earlier in `directory` (CLI stop)."""
        self = cls.__new__(cls)
        self.dir = pathlib.Path(directory)
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        port_file = self.dir / "port"
        self.port = int(port_file.read_text()) if port_file.exists() else 0
        self.running = (self.data / "postmaster.pid").exists()
        return self

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, RUN_AS, RUN_AS)
        os.chmod(self.dir, 0o700)
        self._run([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], timeout=120)
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50 "
                "-c shared_buffers=64MB")
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts,
                   "-w", "-t", "60", "start"], timeout=90)
        self.running = True
        (self.dir / "port").write_text(str(self.port))

    def _run(self, cmd, timeout):
        r = subprocess.run(_as_server_user(cmd), capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): "
                               f"{r.stderr.decode(errors='replace')[-2000:]}\n{self.server_log()}")

    def server_log(self):
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        """Immediate shutdown, then remove the directory. Idempotent, never raises."""
        try:
            if self.data.exists() and (self.data / "postmaster.pid").exists():
                subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data),
                                                "stop", "-m", "immediate", "-w", "-t", "30"]),
                               capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            pass
        self.running = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def conninfo(self, db="postgres"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def url(self, db="postgres"):
        """The JDBC form a Connect user would configure."""
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{db}?user=postgres"

    def psql(self, *args, db="postgres", input=None, timeout=120, check=True):
        cmd = [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
               "-U", "postgres", "-d", db] + list(args)
        r = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"psql {args} failed: {r.stderr.decode(errors='replace')}")
        return r

    def sql(self, query, db="postgres"):
        """Rows of `query` as lists of strings (None for NULL)."""
        r = self.psql("-A", "-t", "-F", "\x1f", "-R", "\x1e", "-P", "null=\x02NULL\x02",
                      "-c", query, db=db)
        out = r.stdout.decode()
        rows = []
        for line in out.split("\x1e"):
            line = line.rstrip("\n")
            if line == "":
                continue
            rows.append([None if v == "\x02NULL\x02" else v for v in line.split("\x1f")])
        return rows

    def scalar(self, query, db="postgres"):
        rows = self.sql(query, db)
        return rows[0][0] if rows else None

    def create_db(self, name):
        self.psql("-c", f'CREATE DATABASE "{name}"')
        return name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    if len(argv) >= 2 and argv[1] == "start":
        pg = PgServer()
        print(f"DIR={pg.dir}")
        print(f"PORT={pg.port}")
        print(f"URL={pg.url()}")
        return 0
    if len(argv) == 3 and argv[1] == "stop":
        PgServer.attach(argv[2]).stop()
        return 0
    print("usage: pgserver.py start | pgserver.py stop DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
