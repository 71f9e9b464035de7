#!/usr/bin/python3
"""Producer side of tide's Python Celery peer (see celery_peer.py for the environment).

    send     --task NAME [--args JSON] [--kwargs JSON] [-n N] [--countdown S] [--priority P]
             [--expires S] [--queue Q]
             sends N tasks with Celery's own send_task; prints "sent N x NAME in S s"
    capture  --out DIR
             writes the messages Python Celery puts on Redis for a few typical sends (plain,
             countdown, priority, expires with kwargs, protocol 1, a result backend) as JSON
             fixtures. It FLUSHES the broker database: point BROKER_URL at a private Redis.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# kombu's separator between a queue name and its priority step: "celery\x06\x163".
PRIORITY_SEP = "\x06\x16"


def send(a):
    import celery_peer

    options = {"queue": a.queue or celery_peer.QUEUE}
    for name in ("countdown", "priority", "expires"):
        if getattr(a, name) is not None:
            options[name] = getattr(a, name)
    args, kwargs = json.loads(a.args), json.loads(a.kwargs)
    started = time.monotonic()
    ids = []
    with celery_peer.app.producer_or_acquire() as producer:
        for _ in range(a.n):
            r = celery_peer.app.send_task(a.task, args=args, kwargs=kwargs, producer=producer, **options)
            ids.append(r.id)
    secs = time.monotonic() - started
    print(f"sent {a.n} x {a.task} in {secs:.3f} s; ids {ids[0]} .. {ids[-1]}")


# What `capture` records: file name, extra environment, send arguments, the Redis key the
# message lands on, and what it shows.
SAMPLES = [
    ("plain-v2.json", {}, ["--task", "tasks.add", "--args", "[2, 3]"], "celery",
     "send_task('tasks.add', args=[2, 3])"),
    ("countdown-v2.json", {}, ["--task", "tasks.add", "--args", '["Ada", "St James\'s"]',
                               "--countdown", "30.25"], "celery",
     "countdown=30.25: the ETA is only in headers.eta; the message is on the list at once"),
    ("priority-v2.json", {}, ["--task", "tasks.add", "--args", "[4, 5]", "--priority", "5"],
     "celery" + PRIORITY_SEP + "3",
     "priority=5 goes to the sub-list 'celery\\x06\\x163' (steps 0, 3, 6, 9); 'celery' stays empty"),
    ("expires-kwargs-v2.json", {}, ["--task", "tasks.add", "--args", "[]",
                                    "--kwargs", '{"x": 1, "y": 2}', "--expires", "90.5"],
     "celery", "kwargs and expires=90.5 (headers.expires and properties.expiration)"),
    ("plain-v1.json", {"TASK_PROTOCOL": "1"}, ["--task", "tasks.add", "--args", "[2, 3]",
                                               "--countdown", "10"], "celery",
     "TASK_PROTOCOL=1: everything in the body, empty headers, countdown=10"),
    ("with-result-backend-v2.json", {"RESULT_BACKEND": "@broker"},
     ["--task", "tasks.noop"], "celery", "a producer with a result backend (ignore_result false)"),
]


def capture(a):
    import redis

    broker = os.environ.get("BROKER_URL", "redis://127.0.0.1:6379/0")
    r = redis.Redis.from_url(broker)
    r.flushdb()
    os.makedirs(a.out, exist_ok=True)
    for name, extra, send_args, key, note in SAMPLES:
        env = dict(os.environ, BROKER_URL=broker)
        env.update({k: broker if v == "@broker" else v for k, v in extra.items()})
        subprocess.run([sys.executable, os.path.join(HERE, "peer_ctl.py"), "send", *send_args],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        raw = r.lpop(key)
        if raw is None:
            sys.exit(f"capture: nothing on {key!r} for {name}")
        message = json.loads(raw)
        with open(os.path.join(a.out, name), "w") as f:
            json.dump({
                "note": note,
                "redis_key": key,
                "raw": raw.decode(),
                "decoded_body": json.loads(base64.b64decode(message["body"])),
            }, f, indent=2)
            f.write("\n")
        print("wrote", name)
    # kombu's own bookkeeping (_kombu.binding.<queue>) stays; any message left is a surprise.
    leftover = [k for k in r.scan_iter() if not k.startswith(b"_kombu.binding.")]
    if leftover:
        sys.exit(f"capture: unexpected keys left in the broker database: {leftover}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("send")
    s.add_argument("--task", required=True)
    s.add_argument("--args", default="[]")
    s.add_argument("--kwargs", default="{}")
    s.add_argument("-n", type=int, default=1)
    s.add_argument("--countdown", type=float)
    s.add_argument("--priority", type=int)
    s.add_argument("--expires", type=float)
    s.add_argument("--queue")
    s.set_defaults(run=send)
    c = commands.add_parser("capture")
    c.add_argument("--out", required=True)
    c.set_defaults(run=capture)
    a = parser.parse_args()
    a.run(a)


if __name__ == "__main__":
    main()
