"""Real serving for tests: gunicorn worker processes on a loopback port, the `flask` command as a
subprocess, and a small cookie-keeping HTTP client (standard library only, never a proxy).

Tests only; gunicorn reads /work/main/gunicorn.conf.py as in production.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Safety limits only: nothing here asserts how fast anything is.
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
CLI_TIMEOUT = 120.0


def catalogue_env(url: str, index_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a process that serves (or runs commands on) one catalogue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGUE_")}
    env.update(
        CATALOGUE_DATABASE_URL=url,
        CATALOGUE_INDEX_DIR=str(index_dir),
        CATALOGUE_SECRET_KEY="gunicorn-test-secret",
        CATALOGUE_RATELIMIT_STORAGE_URL="memory://",
        PYTHONUNBUFFERED="1",
    )
    env.update({f"CATALOGUE_{name}": value for name, value in settings.items()})
    return env


def flask_cli(env: Mapping[str, str], *args: str, check: bool = True):
    """Run `flask --app wsgi ARGS` as its own process; returns the CompletedProcess."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )
    if check:
        assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # the 30x itself is the answer a test looks at


class HttpClient:
    """One visitor: its own cookies (session, CSRF) against one base URL."""

    def __init__(self, base_url: str) -> None:
        assert base_url.startswith("http://127.0.0.1:"), base_url
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirect,
        )

    def request(self, method: str, path: str, form: Mapping[str, Any] | None = None) -> Reply:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        outgoing = urllib.request.Request(self.base_url + path, data=data, method=method)
        try:
            with self._opener.open(outgoing, timeout=REQUEST_TIMEOUT) as response:
                return Reply(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.headers, error.read().decode())

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: Mapping[str, Any]) -> Reply:
        return self.request("POST", path, form)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.body) or (
            re.search(r'name="csrf_token" value="([^"]+)"', page.body)
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, email: str, password: str) -> HttpClient:
        token = self.csrf_token("/login")
        reply = self.post("/login", {"email": email, "password": password, "csrf_token": token})
        assert reply.status == 302, (reply.status, reply.body[:500])
        return self


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def client(self) -> HttpClient:
        return HttpClient(self.base_url)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    client = server.client()
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"gunicorn exited:\n{server.log()}"
        try:
            if client.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer /healthz in {START_TIMEOUT} s:\n{server.log()}")


@contextmanager
def gunicorn(env: Mapping[str, str], log_path: Path, *, workers: int = 4) -> Iterator[Server]:
    """gunicorn with gunicorn.conf.py and `workers` workers on a free loopback port."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}",
             # Not the shared ~/.gunicorn/gunicorn.ctl: several servers may run at once.
             "--no-control-socket"],
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Terminate (gunicorn: graceful shutdown), then kill if it takes too long."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
