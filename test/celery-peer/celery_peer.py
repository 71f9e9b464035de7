"""tide's Python Celery peer: a small Celery 5.2 app the interop tests and the throughput
benchmark run against tide's TypeScript producer and worker.

Debian's interpreter and packages only: /usr/bin/python3 with python3-celery and python3-redis
(another python3 on PATH, a venv or pyenv, may not have them).

    worker:   cd test/celery-peer && /usr/bin/python3 -m celery -A celery_peer worker -P solo
    producer: /usr/bin/python3 test/celery-peer/peer_ctl.py send --task tasks.add --args '[2, 3]'

Configured by environment variables, so each test sets only what it is about:

    BROKER_URL           redis://127.0.0.1:6379/0 unless set
    RESULT_BACKEND       a Redis URL; unset, empty or 'none': results are not stored
    QUEUE                default queue (and Redis list) name, 'celery'
    ACKS_LATE=1          task_acks_late (ack after the task, not before it)
    PREFETCH_MULTIPLIER  worker_prefetch_multiplier, Celery's default 4
    TASK_PROTOCOL        message protocol the producer writes, 2 (or 1)
    VISIBILITY_TIMEOUT   seconds before an unacked message is restored (kombu: 3600)
    COUNT_DONE=1         every finished task INCRs DONE_KEY (default 'peer:done')

When a worker has booted it sets the key peer:ready:<node name>, which tests wait for.
"""
import os
import time

import redis
from celery import Celery
from celery.signals import task_postrun, worker_ready


def _env(name, default):
    value = os.environ.get(name, "")
    return value if value != "" else default


BROKER_URL = _env("BROKER_URL", "redis://127.0.0.1:6379/0")
_backend = _env("RESULT_BACKEND", "none")
RESULT_BACKEND = None if _backend.lower() in ("none", "0", "disabled") else _backend
QUEUE = _env("QUEUE", "celery")
DONE_KEY = _env("DONE_KEY", "peer:done")

app = Celery("celery_peer", broker=BROKER_URL, backend=RESULT_BACKEND)
app.conf.update(
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
    enable_utc=True,
    task_protocol=int(_env("TASK_PROTOCOL", "2")),
    task_default_queue=QUEUE,
    task_acks_late=_env("ACKS_LATE", "0") == "1",
    task_ignore_result=RESULT_BACKEND is None,
    worker_prefetch_multiplier=int(_env("PREFETCH_MULTIPLIER", "4")),
    broker_connection_retry_on_startup=True,
)
if os.environ.get("VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        "visibility_timeout": int(os.environ["VISIBILITY_TIMEOUT"])
    }

_client = None


def broker_redis():
    """A plain Redis client on the broker's database, for the counters tests read."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(BROKER_URL)
    return _client


@app.task(name="tasks.add")
def add(x, y):
    return x + y


@app.task(name="tasks.noop")
def noop():
    return None


@app.task(name="tasks.sleep")
def sleep(seconds):
    time.sleep(float(seconds))
    return seconds


@app.task(name="tasks.fail")
def fail():
    raise RuntimeError("tasks.fail: intentional failure")


@worker_ready.connect(weak=False)
def _announce_ready(sender=None, **_):
    broker_redis().set(f"peer:ready:{sender.hostname}", time.time(), ex=3600)


if _env("COUNT_DONE", "0") == "1":

    @task_postrun.connect(weak=False)
    def _count_done(**_):
        broker_redis().incr(DONE_KEY)
