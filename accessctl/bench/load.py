"""``make load``: the load run of issue 13 (docs/performance.md). Not run in CI; nothing leaves 127.0.0.1.

Recreates a PostgreSQL database of its own (``LOAD_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/accessctl_load``; its name must end in ``_load``), migrates it and seeds
the bench's scale with the production settings (``load_world``), serves it with gunicorn (2 sync workers) on
127.0.0.1 with ``DJANGO_ENV=production`` (throwaway key, ``ALLOWED_HOSTS=127.0.0.1``, ``SECURE_SSL_REDIRECT=0``
so plain HTTP on loopback works, ``CONN_MAX_AGE=60`` as in the README's deploy), then drives Debian's ``wrk``
(``load.lua``) at each page: bounded by time (``LOAD_SECONDS``) and count (``LOAD_MAX`` per wrk thread). Every
round runs each page alone, then again beside a stream of role changes through the API (``role_stream``).
Prints the medians over the rounds and writes ``load.json``; exits non-zero on any error or broken invariant.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from accessctl.bench.role_stream import RoleStream

HOST = "127.0.0.1"  # the only address this run ever talks to
ROOT = Path(__file__).resolve().parent.parent.parent
LUA = Path(__file__).with_name("load.lua")
BIN = Path(sys.executable).parent
ACCEPT = "application/vnd.heroku+json; version=3"


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


PORT = int(_setting("LOAD_PORT", "8765"))
SECONDS, CONNECTIONS = int(_setting("LOAD_SECONDS", "8")), int(_setting("LOAD_CONNECTIONS", "8"))
THREADS, MAX_PER_THREAD = int(_setting("LOAD_THREADS", "2")), int(_setting("LOAD_MAX", "2000"))
ROUNDS, STREAMS = int(_setting("LOAD_ROUNDS", "3")), int(_setting("LOAD_ROLE_STREAMS", "2"))
DATABASE_URL = _setting("LOAD_DATABASE_URL", f"postgres://postgres@{HOST}:5432/accessctl_load")


def server_env() -> dict[str, str]:
    """The production settings on loopback, with throwaway secrets (see README "Configuration")."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    return {
        **env,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "load-run-only-throwaway-key-not-a-secret-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": HOST,
        "WEBHOOK_SECRET_KEY": "load-run-only-throwaway-webhook-key-0123456789abcdef",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": DATABASE_URL,
        "CONN_MAX_AGE": _setting("CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "WARNING",
        # As the README's deploy: the shared cache (sessions, rate-limit counters) in Redis on loopback.
        "REDIS_URL": _setting("LOAD_REDIS_URL", f"redis://{HOST}:6379/13"),
        # The run measures throughput, not the hourly per-token budget it would spend in two minutes.
        "API_RATE_LIMIT": "100000000",
    }


def recreate_database() -> str:
    """Drop and create the load database (only one named ``*_load``, on 127.0.0.1)."""
    import psycopg

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    if not name.endswith("_load") or url.hostname not in (HOST, "localhost"):
        raise SystemExit(f"LOAD_DATABASE_URL must name a database *_load on {HOST}, not {DATABASE_URL!r}")
    params = {"host": url.hostname, "port": url.port or 5432, "user": url.username or "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, password=url.password, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        return f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]} {name}"  # type: ignore[index]


def _django(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=server_env(), check=True, capture_output=True, text=True
    )
    return done.stdout


def prepare() -> dict[str, Any]:
    """Migrate, collect the static files (the production storage needs their manifest), seed; the world."""
    _django("manage.py", "migrate", "--noinput", "-v", "0")
    _django("manage.py", "collectstatic", "--noinput", "-v", "0")
    return json.loads(_django("-m", "accessctl.bench.load_world", "seed").strip().splitlines()[-1])


def start_server() -> subprocess.Popen[bytes]:
    """gunicorn as the Procfile's web process, 2 sync workers, on 127.0.0.1 only; waits until it answers."""
    command = [str(BIN / "gunicorn"), "accessctl.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", "2"]
    command += ["--worker-class", "sync", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/accounts/login/", timeout=2).close()
            return server
        except (
            urllib.error.URLError,
            ConnectionError,
            TimeoutError,
        ):  # a slow first answer on a busy machine
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped while starting") from None
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn we started (its own process group: the master and its two workers)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def targets(world: dict[str, Any]) -> list[dict[str, str]]:
    """The pages of the issue: team Access first and last page, app Access, home, the API member list."""
    team, app, cookie, token = world["team"], world["app"], world["cookie"], world["token"]
    return [
        {"name": "team Access, first page", "path": f"/teams/{team}/access/", "cookie": cookie},
        {"name": "team Access, last page", "path": f"/teams/{team}/access/?last=1", "cookie": cookie},
        {"name": "app Access (500 grants)", "path": f"/apps/{app}/access/", "cookie": cookie},
        {"name": "home", "path": "/", "cookie": cookie},
        {
            "name": "API member list (200)",
            "path": f"/teams/{team}/members",
            "token": token,
            "range": "email ..; max=200",
        },
    ]


def expected_status(target: dict[str, str]) -> int:
    """One request by hand (and the warm-up of the workers): the status every answer must have."""
    headers = {"Cookie": target.get("cookie", "")}
    if target.get("token"):
        headers = {"Authorization": f"Bearer {target['token']}", "Accept": ACCEPT, "Range": target["range"]}
    request = urllib.request.Request(f"http://{HOST}:{PORT}{target['path']}", headers=headers)
    for _ in range(4):
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
            final = response.url
    if status not in (200, 206) or urlparse(final).path != urlparse(target["path"]).path:
        raise SystemExit(f"{target['name']}: {status} at {final}, not the page (is the session signed in?)")
    return status


def workers_cpu(master: int) -> float:
    """CPU seconds the gunicorn workers (children of ``master``) have used: what a request costs the server
    whatever else the machine runs (wall-clock latencies also hold the time spent waiting for a core)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # fields after the name: state, ppid, ..., utime (12th), stime (13th)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(target: dict[str, str], ok: int, master: int) -> dict[str, Any]:
    """One bounded wrk run at one page; its JSON line from ``load.lua``, plus the workers' CPU a request."""
    env = {
        **os.environ,
        "LOAD_PATH": target["path"],
        "LOAD_OK": str(ok),
        "LOAD_MAX": str(MAX_PER_THREAD),
        "LOAD_COOKIE": target.get("cookie", ""),
        "LOAD_TOKEN": target.get("token", ""),
        "LOAD_RANGE": target.get("range", ""),
    }
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--timeout", "10s"]
    command += ["-s", str(LUA), f"http://{HOST}:{PORT}"]
    cpu = workers_cpu(master)
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=SECONDS + 60)
    result = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
    result["cpu_ms"] = round((workers_cpu(master) - cpu) * 1000 / max(result["requests"], 1), 2)
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds; errors summed."""
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "cpu_ms")
    summary: dict[str, Any] = {key: round(statistics.median(r[key] for r in runs), 2) for key in keys}
    summary["requests"] = sum(r["requests"] for r in runs)
    summary["errors"] = sum(r["bad_status"] + r["socket_errors"] for r in runs)
    summary["rounds"] = runs
    return summary


def check() -> dict[str, Any]:
    """``load_world check`` on the load database: the invariants and the facts the stream compares."""
    return json.loads(_django("-m", "accessctl.bench.load_world", "check").strip().splitlines()[-1])


def table(results: dict[str, Any]) -> str:
    """The medians, one line a page and mode."""
    lines = [
        f"{'page':28} {'mode':18} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms':>7} errors"
    ]
    for mode, pages in results.items():
        for name, r in pages.items():
            lines.append(
                f"{name:28} {mode:18} {r['rps']:7.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f}"
                f" {r['cpu_ms']:7.1f} {r['errors']:6d}"
            )
    return "\n".join(lines)


def main() -> int:
    """The whole run; 0 when every answer was the page and every invariant held."""
    if shutil.which("wrk") is None:
        raise SystemExit("make load needs wrk: apt-get install -y wrk")
    started = time.perf_counter()
    label = recreate_database()
    world = prepare()
    print(
        f"{label}: seeded in {time.perf_counter() - started:.0f}s; {ROUNDS} rounds of {SECONDS}s a page, "
        f"{CONNECTIONS} connections, {THREADS} wrk threads, at most {MAX_PER_THREAD} requests a thread"
    )
    server = start_server()
    try:
        pages = targets(world)
        status = {t["name"]: expected_status(t) for t in pages}
        stream = RoleStream(
            f"http://{HOST}:{PORT}", world["token"], world["team"], world["stream_people"], STREAMS
        )
        before = check()
        runs: dict[str, dict[str, list[dict[str, Any]]]] = {"alone": {}, "with role changes": {}}
        for round_number in range(ROUNDS):
            for mode in runs:
                if mode != "alone":
                    stream.start(before["roles"] if round_number == 0 else stream.roles)
                for target in pages:
                    runs[mode].setdefault(target["name"], []).append(
                        run_wrk(target, status[target["name"]], server.pid)
                    )
                if mode != "alone":
                    stream.stop()
            print(f"round {round_number + 1}/{ROUNDS} done")
    finally:
        stop_server(server)
    stream_report = stream.report(check(), before["role_change_events"])
    results = {mode: {name: summarise(r) for name, r in by_page.items()} for mode, by_page in runs.items()}
    print(table(results))
    print(f"role changes: {json.dumps({k: v for k, v in stream_report.items() if k != 'failures'})}")
    errors = sum(r["errors"] for pages_ in results.values() for r in pages_.values())
    meta = {
        "database": label,
        "rounds": ROUNDS,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "threads": THREADS,
        "max_per_thread": MAX_PER_THREAD,
        "workers": 2,
        "role_streams": STREAMS,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    out = ROOT / "load.json"
    out.write_text(json.dumps({"meta": meta, "results": results, "role_changes": stream_report}, indent=1))
    print(f"wrote {out.name}; {errors} errors; invariants {'held' if stream_report['ok'] else 'BROKEN'}")
    return 0 if errors == 0 and stream_report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
