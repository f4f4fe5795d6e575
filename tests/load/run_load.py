"""`make load`: simulated visitors against gunicorn on loopback; p50/p95/p99 per route.

Builds a throw-away catalogue (a SQLite file in a temporary directory, or with `--postgresql` a
database created on that server and dropped afterwards) through the commands an operator runs:
`db upgrade`, `seed --demo`, `offers import` of synthetic offers
(tests/benchmarks/synthetic_catalogue.py) and `index rebuild`. Then it serves that catalogue with
gunicorn (gunicorn.conf.py, sync workers) on 127.0.0.1, runs Locust headless with
tests/load/locustfile.py against it, stops the server, prints one row per route from Locust's
statistics and checks that the index has kept up with the database.

Exits non-zero when any request failed (a 5xx, a connection error, an unexpected status), the
server's access log shows any 5xx, or the index drifted: a load run passes with 0 errors or not
at all. Visitors read 1–4 s between clicks; `--think-time 0` measures what the server can carry.

    python tests/load/run_load.py                           # 50 users, 2 minutes
    python tests/load/run_load.py --users 10 --duration 20s # a short try
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
SYNTHETIC_CATALOGUE = ROOT / "tests" / "benchmarks" / "synthetic_catalogue.py"
HOST = "127.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/0"
STARTUP_TIMEOUT_S = 60.0
# Locust stops its users at the end of the run and waits this long for running tasks to end.
STOP_TIMEOUT_S = 10
# gunicorn's default access-log line: … "GET /path HTTP/1.1" 200 1234 "referer" "agent"
ACCESS_LOG_STATUS = re.compile(r'"[A-Z]+ (\S+) HTTP/[\d.]+" (\d{3}) ')


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument(
        "--spawn-rate", type=float, default=10, help="users started per second (default 10)"
    )
    parser.add_argument(
        "--duration", default="2m", help="Locust run time: 20s, 2m, 1h30m (default 2m)"
    )
    parser.add_argument(
        "--offers",
        type=int,
        default=2000,
        help="synthetic offers imported beside the demo offers (default 2000; 0 for none)",
    )
    parser.add_argument(
        "--think-time",
        default="1-4",
        help="seconds a visitor reads between two clicks, MIN-MAX (default 1-4; 0 for none)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--postgresql",
        metavar="SERVER_URL",
        help="serve from a throw-away database on this PostgreSQL server (created for the run "
        "and dropped after it; e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) "
        "instead of a temporary SQLite file",
    )
    parser.add_argument(
        "--redis-url",
        default=REDIS_URL,
        help=f"rate-limit storage shared by the workers, if reachable (default {REDIS_URL}); "
        "otherwise each worker keeps its own in memory",
    )
    parser.add_argument(
        "--keep-logs", type=Path, help="copy the server's and Locust's logs into this directory"
    )
    return parser.parse_args(argv)


def seconds(duration: str) -> int:
    """Locust's run-time notation (`90`, `20s`, `2m`, `1h30m`) in seconds."""
    if duration.isdigit():
        return int(duration)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    if not parts or not any(parts.groups()):
        raise SystemExit(f"--duration: not a run time: {duration!r} (e.g. 20s, 2m, 1h30m)")
    hours, minutes, secs = (int(value or 0) for value in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def is_redis_reachable(url: str) -> bool:
    """Whether a Redis answers PING at `url` (host and port only, within a second)."""
    match = re.fullmatch(r"redis://([^:/]+)(?::(\d+))?(?:/\d*)?", url)
    if not match:
        return False
    try:
        with socket.create_connection((match[1], int(match[2] or 6379)), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def throwaway_database(tmp: Path, server_url: str | None) -> Iterator[str]:
    """A temporary SQLite file, or a new database on `server_url` dropped afterwards."""
    if not server_url:
        yield f"sqlite:///{tmp}/load.sqlite3"
        return
    from sqlalchemy import create_engine, text

    name = f"catalogue_load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server_url.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_step(what: str, command: list[str], env: dict[str, str]) -> None:
    """Run one set-up command; stop with its output when it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}")
    print(f"  {what}: {time.perf_counter() - started:.1f} s", flush=True)


def build_catalogue(tmp: Path, offers: int, env: dict[str, str]) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run_step("db upgrade", [*flask, "db", "upgrade"], env)
    run_step("seed --demo", [*flask, "seed", "--demo"], env)
    if offers > 0:
        catalogue_file = tmp / "synthetic.jsonl"
        run_step(
            f"{offers} synthetic offers",
            [sys.executable, str(SYNTHETIC_CATALOGUE), str(offers), str(catalogue_file)],
            env,
        )
        run_step("offers import", [*flask, "offers", "import", str(catalogue_file)], env)
    run_step("index rebuild", [*flask, "index", "rebuild"], env)


def wait_until_healthy(server: subprocess.Popen, base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before it served")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise SystemExit(f"gunicorn did not answer /healthz within {STARTUP_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen | None, grace_s: float) -> None:
    """End a child: SIGTERM (graceful for gunicorn and Locust), then SIGKILL after `grace_s`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def server_errors(access_log: Path) -> tuple[Counter[str], int]:
    """The 5xx answers in gunicorn's access log by path, and how many requests it logged."""
    errors: Counter[str] = Counter()
    logged = 0
    with access_log.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            match = ACCESS_LOG_STATUS.search(line)
            if match:
                logged += 1
                if match[2].startswith("5"):
                    errors[f"{match[2]} {match[1].split('?')[0]}"] += 1
    return errors, logged


def percentile(response_times: dict[int, int], share: float) -> int:
    """Locust's own percentile of a response-time histogram (ms, rounded as Locust rounds)."""
    count = sum(response_times.values())
    above = count - int(count * share)
    seen = 0
    for value in sorted(response_times, reverse=True):
        seen += response_times[value]
        if seen >= above:
            return value
    return 0


def route_rows(stats: list[dict]) -> list[dict]:
    """Per-route figures from Locust's `--json-file` statistics, plus one row for all routes."""
    if not stats:
        return []
    began = min(entry["start_time"] for entry in stats)
    ended = max(entry["last_request_timestamp"] or began for entry in stats)
    elapsed = max(ended - began, 1e-9)
    every: Counter[int] = Counter()
    rows = []
    for entry in sorted(stats, key=lambda e: (e["name"], e["method"])):
        times = {int(ms): count for ms, count in entry["response_times"].items()}
        every.update(times)
        rows.append(_row(f"{entry['method']} {entry['name']}", entry, times, elapsed))
    total = {
        "num_requests": sum(e["num_requests"] for e in stats),
        "num_failures": sum(e["num_failures"] for e in stats),
        "max_response_time": max(e["max_response_time"] for e in stats),
    }
    rows.append(_row("**all routes**", total, dict(every), elapsed))
    return rows


def _row(route: str, entry: dict, times: dict[int, int], elapsed: float) -> dict:
    return {
        "route": route,
        "requests": entry["num_requests"],
        "failures": entry["num_failures"],
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": round(entry["max_response_time"]),
        "rps": entry["num_requests"] / elapsed,
    }


def print_table(rows: list[dict]) -> None:
    print()
    print("| route | requests | failures | p50 ms | p95 ms | p99 ms | max ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['route']} | {row['requests']} | {row['failures']} | {row['p50']} "
            f"| {row['p95']} | {row['p99']} | {row['max']} | {row['rps']:.1f} |"
        )


def print_failures(failures_csv: Path) -> None:
    # Locust writes this file every second during the run, so the last second may be missing.
    if not failures_csv.exists():
        return
    with failures_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if rows:
        print("\nfailures (as last written by Locust):")
        for row in rows:
            print(f"  {row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}")


def server_warnings(server_log: Path) -> list[str]:
    """gunicorn's and the application's warnings and errors, each traceback in full."""
    # gunicorn's own levels, and Flask's "[time] ERROR in module: …" lines.
    noisy = ("[WARNING]", "[ERROR]", "[CRITICAL]", "WARNING in ", "ERROR in ", "CRITICAL in ")
    found: list[str] = []
    in_traceback = False
    with server_log.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            # A traceback runs until the next log or access-log line.
            if in_traceback and not line.startswith(("[", HOST)):
                found[-1] += "\n" + line.rstrip()
                continue
            in_traceback = line.startswith("Traceback")
            is_access_line = line.startswith(HOST)
            if in_traceback or (not is_access_line and any(word in line for word in noisy)):
                found.append(line.rstrip())
    return found


def print_log_tail(log: Path, lines: int = 40) -> None:
    if log.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        print(f"\n--- last {len(tail)} lines of {log.name} ---")
        print("\n".join(tail))


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    # `make` and CI stop with SIGTERM: unwind like Ctrl-C so the children and files are cleaned up.
    raise KeyboardInterrupt(f"signal {signum}")


def start_server(args: argparse.Namespace, env: dict[str, str], port: int, log: Path):
    with log.open("w") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"),
                *("--workers", str(args.workers), "--bind", f"{HOST}:{port}"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only this script, which stops it in order
        )


def start_locust(args: argparse.Namespace, env: dict[str, str], base_url: str, tmp: Path):
    with (tmp / "locust.log").open("w") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
                *("--users", str(args.users), "--spawn-rate", str(args.spawn_rate)),
                *("--run-time", args.duration, "--stop-timeout", str(STOP_TIMEOUT_S)),
                *("--think-time", args.think_time, "--host", base_url, "--only-summary"),
                # The JSON file is written after the last request; the CSV files (for the
                # failures' messages) every second while the run goes on.
                *("--json-file", str(tmp / "stats"), "--csv", str(tmp / "locust")),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def check_index(env: dict[str, str]) -> tuple[str, bool]:
    """`index check` as the serving processes left the index, and after `index sync`."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "index"]
    outputs = []
    for command in (["check"], ["sync"], ["check"]):
        done = subprocess.run(
            [*flask, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        outputs.append(" ".join((done.stdout + done.stderr).split()))
    return (
        f"index check after the run: {outputs[0]}\n"
        f"index sync: {outputs[1]}\nindex check: {outputs[2]}"
    ), done.returncode == 0


def load_run(args: argparse.Namespace, tmp: Path, database_url: str) -> int:
    env = {
        **os.environ,
        "CATALOGUE_DATABASE_URL": database_url,
        "CATALOGUE_INDEX_DIR": str(tmp / "index"),
        "CATALOGUE_SECRET_KEY": "load-test-only",
        "PYTHONUNBUFFERED": "1",
    }
    if is_redis_reachable(args.redis_url):
        env["CATALOGUE_RATELIMIT_STORAGE_URL"] = args.redis_url
        limits = f"rate limits in {args.redis_url}"
    else:
        env.pop("CATALOGUE_RATELIMIT_STORAGE_URL", None)
        limits = "rate limits in each worker's memory (no Redis reachable)"

    where = database_url.rpartition("/")[2] if args.postgresql else tmp
    print(f"building a throw-away catalogue in {where} …", flush=True)
    build_catalogue(tmp, args.offers, env)

    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server_log, locust_log = tmp / "gunicorn.log", tmp / "locust.log"
    server = locust = None
    try:
        server = start_server(args, env, port, server_log)
        wait_until_healthy(server, base_url)
        print(f"gunicorn: {args.workers} workers on {base_url}, {limits}", flush=True)
        print(
            f"locust: {args.users} users (spawn rate {args.spawn_rate:g}/s, think time "
            f"{args.think_time} s) for {args.duration} …",
            flush=True,
        )
        locust = start_locust(args, env, base_url, tmp)
        try:
            # Bounded: the run time, the stop timeout, and a minute for start and statistics.
            locust.wait(timeout=seconds(args.duration) + STOP_TIMEOUT_S + 60)
        except subprocess.TimeoutExpired:
            print("locust did not finish in time; stopping it", flush=True)
    finally:
        stop(locust, grace_s=STOP_TIMEOUT_S + 5)
        stop(server, grace_s=25)  # gunicorn's graceful_timeout is 20 s
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for log_file in (server_log, locust_log):
                if log_file.exists():
                    (args.keep_logs / log_file.name).write_bytes(log_file.read_bytes())

    stats_file = tmp / "stats.json"
    if not stats_file.exists():
        print_log_tail(locust_log)
        raise SystemExit(f"locust exited with {locust.returncode} and wrote no statistics")
    rows = route_rows(json.loads(stats_file.read_text(encoding="utf-8")))
    print_table(rows)
    requests, failures = (rows[-1]["requests"], rows[-1]["failures"]) if rows else (0, 0)
    print_failures(tmp / "locust_failures.csv")
    errors, logged = server_errors(server_log)
    warnings = server_warnings(server_log)
    print(
        f"\n{requests} requests by Locust, {logged} in gunicorn's access log; "
        f"{failures} failed, {sum(errors.values())} answered 5xx, "
        f"{len(warnings)} warnings or errors in the server's log"
    )
    for what, count in errors.most_common():
        print(f"  {count}× {what}")
    for warning in warnings[:20]:
        print(f"  {warning}")
    index_report, is_index_in_step = check_index(env)
    print(index_report)

    if failures or errors or not requests or locust.returncode or not is_index_in_step:
        if locust.returncode:
            print_log_tail(locust_log)
        print("\nload run FAILED: every request must succeed and the index must converge")
        return 1
    print("\nload run passed: 0 errors")
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="catalogue-load-") as tmp,
            throwaway_database(Path(tmp), args.postgresql) as database_url,
        ):
            outcome = load_run(args, Path(tmp), database_url)
    except KeyboardInterrupt:
        print("\ninterrupted; server and Locust stopped, temporary files removed")
        return 130
    print(f"(make load took {time.perf_counter() - started:.0f} s)")
    return outcome


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
