"""Gunicorn's settings for every deployment: the demo, the load bench and the container
(`gunicorn caseflow.wsgi -c python:caseflow.gunicorn`). What differs comes from the
environment; the command line overrides any of it.

Threads (gthread) rather than more processes: a request spends a good part of its time waiting
for PostgreSQL, and a thread waiting gives the interpreter lock to another; a process per core
keeps both cores busy without the memory of one Django per thread."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A slow request is answered or dropped within this; a stop waits this long for requests in flight.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
keepalive = 5
# A worker is replaced now and then, so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# "-" logs every request to standard output, as runserver did; empty turns the log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Behind the load balancer: trust its X-Forwarded-* headers (it is the only way in).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket is one path per user: two servers on a machine (the demo and a
# bench) would take it from each other, and nothing here uses it.
control_socket_disable = True
