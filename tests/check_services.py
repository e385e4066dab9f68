"""Fail fast, with instructions, when PostgreSQL or Redis cannot be reached.

Run by `make test` before pytest. Standard library only. Reads DATABASE_URL and
REDIS_URL (defaults: the local services used by the test suite) and tries a TCP
connection to each host:port with a 2 second timeout.
"""
import os
import socket
import sys
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartcity_portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

HOW_TO_START = {
    "PostgreSQL": (
        "  start it:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
    ),
    "Redis": (
        '  start it:  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
    ),
}


def _target(url, default_port):
    parts = urlsplit(url)
    try:
        port = parts.port or default_port
    except ValueError:
        port = default_port
    return parts.hostname or "127.0.0.1", port


def _reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main():
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    services = []
    if urlsplit(database_url).scheme in {"postgres", "postgresql"}:
        services.append(("PostgreSQL", *_target(database_url, 5432)))
    if urlsplit(redis_url).scheme in {"redis", "rediss"}:
        services.append(("Redis", *_target(redis_url, 6379)))

    down = [(name, host, port) for name, host, port in services if not _reachable(host, port)]
    if down:
        print("Cannot run the tests: these services are not reachable:", file=sys.stderr)
        for name, host, port in down:
            print(f"- {name} at {host}:{port}", file=sys.stderr)
            print(HOW_TO_START[name], file=sys.stderr)
        print(
            "Alternatively run them in Docker:  docker compose up -d db redis\n"
            "  (then point the tests at them, e.g. "
            "DATABASE_URL=postgres://portal:$POSTGRES_PASSWORD@127.0.0.1:5432/portal make test)",
            file=sys.stderr,
        )
        return 1
    names = " and ".join(name for name, _, _ in services) or "No network services"
    print(f"{names} reachable" if services else "No PostgreSQL/Redis URL to check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
