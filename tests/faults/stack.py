"""A private portal stack for fault tests: PostgreSQL, Redis, gunicorn and Celery.

Fault tests stop and restart the database and the broker, so they never use
the shared services on ports 5432 and 6379 (other test runs use them). Each
piece here is started on a free port in a temporary directory and stopped,
with its whole process group, by ``close()``. As root, PostgreSQL runs as the
``postgres`` OS user (it refuses to run as root).
"""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout} s")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def postgres_bin():
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def available():
    """Why the private stack cannot run here, or None if it can."""
    if postgres_bin() is None:
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are missing"
    if shutil.which("redis-server") is None:
        return "redis-server is missing"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres OS user"
    if not (BIN / "gunicorn").exists() or not (BIN / "celery").exists():
        return "gunicorn or celery is not installed in the virtualenv"
    return None


def _kill_group(process, sig=signal.SIGTERM, timeout=15):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


class Postgres:
    """A throwaway PostgreSQL cluster (fsync off: the tests do not survive power cuts)."""

    def __init__(self, workdir):
        self.bin = postgres_bin()
        self.dir = Path(workdir) / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "server.log"
        self.as_root = os.geteuid() == 0

    def _run(self, *args, check=True, timeout=60):
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, timeout=timeout, capture_output=True, text=True)

    def init(self):
        self.dir.mkdir(parents=True)
        if self.as_root:
            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
            # The temporary parent directory must be traversable by the postgres user.
            os.chmod(self.dir.parent, 0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self.start()
        subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qAt",
             "-c", "CREATE DATABASE portal"],
            check=True, capture_output=True, timeout=30,
        )

    def start(self):
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def query(self, sql, params=()):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="portal")
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def close(self):
        if self.data.exists():
            self.stop(mode="immediate")


class Redis:
    def __init__(self, workdir):
        self.port = free_port()
        self.dir = Path(workdir) / "redis"
        self.process = None

    def start(self):
        self.dir.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for(lambda: port_open(self.port), 10, "redis-server")

    def stop(self):
        _kill_group(self.process)
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self):
        self.stop()


class Stack:
    """PostgreSQL + Redis + the migrated portal; gunicorn and Celery on demand."""

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="portal-faults-"))
        self.postgres = Postgres(self.workdir)
        self.redis = Redis(self.workdir)
        self.web_port = free_port()
        self.gunicorn = None
        self.workers = []
        self.mail_dir = self.workdir / "mail"
        self.logs = self.workdir / "logs"
        self.logs.mkdir()

    # --- set-up ------------------------------------------------------------------

    def env(self, **extra):
        return {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": "smartcity_portal.settings",
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": "fault-tests-only-secret-key-0123456789",
            "DEBUG": "0",
            "HTTPS": "0",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "plain",
            "API_THROTTLE_ANON": "1000000/minute",
            "API_THROTTLE_USER": "1000000/minute",
            "STATIC_ROOT": str(ROOT / "var" / "faults-static"),
            "MEDIA_ROOT": str(self.workdir / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def manage(self, *args, timeout=300):
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True,
            timeout=timeout, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def django(self, code):
        """Run ``code`` in a Django shell of the stack; returns the JSON its last line printed."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def start(self):
        self.postgres.init()
        self.redis.start()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_reference_data", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")

    # --- gunicorn ----------------------------------------------------------------

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.web_port}"

    def start_gunicorn(self, workers=2, threads=1):
        log = open(self.logs / "gunicorn.log", "ab")  # noqa: SIM115 - the server's output, for as long as it runs
        self.gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "smartcity_portal/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{self.web_port}", "--workers", str(workers), "--threads", str(threads),
             "--access-logfile", "/dev/null", "--timeout", "30"],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

        def up():
            try:
                with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2) as response:
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False

        wait_for(up, 60, "gunicorn")

    # --- Celery --------------------------------------------------------------------

    def start_worker(self, name, *, slow_first_task=None, slow_import=None):
        """A Celery worker with one pool process; see ``tests/faults/worker.py``."""
        extra = {"FAULTS_SLOW_MARKER": str(slow_first_task)} if slow_first_task else {}
        if slow_import:
            extra["FAULTS_SLOW_IMPORT_MARKER"] = str(slow_import)
        log = open(self.logs / f"worker-{name}.log", "ab")  # noqa: SIM115 - the worker's output, for as long as it runs
        process = subprocess.Popen(
            [PYTHON, str(Path(__file__).with_name("worker.py")), f"{name}@faults"],
            cwd=ROOT, env=self.env(**extra), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.workers.append(process)
        return process

    def stop_worker(self, process, sig=signal.SIGTERM):
        _kill_group(process, sig)

    # --- tear-down -------------------------------------------------------------------

    def close(self):
        for process in self.workers:
            _kill_group(process, signal.SIGKILL)
        _kill_group(self.gunicorn)
        self.redis.close()
        self.postgres.close()
        # The logs outlive the stack, for whoever reads a failure (CI artefacts, a local rerun).
        kept = ROOT / "var" / "faults-logs"
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(self.logs, kept, dirs_exist_ok=True)
        if self.postgres.log.exists():
            shutil.copy(self.postgres.log, kept / "postgres.log")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def tail(self, name, lines=40):
        """The end of a log, for assertion messages."""
        path = self.logs / name if (self.logs / name).exists() else self.postgres.log
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
