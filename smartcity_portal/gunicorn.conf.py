"""Gunicorn settings for the portal (`gunicorn -c smartcity_portal/gunicorn.conf.py`).

Environment: GUNICORN_WORKERS (default 2 x CPU cores + 1), GUNICORN_THREADS
(default 1), GUNICORN_BIND (default 0.0.0.0:8000).
"""
import multiprocessing
import os


def _positive_int(name, default):
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"Environment variable {name}={value!r} is not a whole number.") from None
    if number < 1:
        raise SystemExit(f"Environment variable {name}={number} must be at least 1.")
    return number


wsgi_app = "smartcity_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
workers = _positive_int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _positive_int("GUNICORN_THREADS", 1)
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound
# (the soak run, benchmarks/soak.py, shows none; at 2,000 requests a busy portal
# recycled a worker every few seconds, each time with a cold start).
max_requests = 20000
max_requests_jitter = 2000
# Workers are forked from a master that has loaded the portal once: a recycled
# worker serves at once instead of importing Django again.
preload_app = True
accesslog = "-"
# Gunicorn's default line with the path (%(U)s) instead of the raw request line (%(r)s); the
# logger class drops query strings and redacts reset tokens in every field it could print.
logger_class = "smartcity_portal.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()
