"""Concurrency and faults with real gunicorn workers on loopback: many writers at once, a busy
index lock, processes killed in the middle of an index commit, the index directory gone.

Each test works on a copy of the seeded demo catalogue (SQLite file or PostgreSQL database, and
its index on disk). The tests of requests start `gunicorn -c gunicorn.conf.py --workers 4` on it
and speak HTTP on 127.0.0.1; `index sync|check|rebuild` run as processes of their own. Timeouts
are safety bounds only: nothing here measures speed.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, insert, select, update

from catalogue import indexing
from catalogue.extensions import db
from catalogue.models import IndexChange, Offer, OfferTransition
from catalogue.seeding import DEMO_PASSWORD
from tests.conftest import Catalogue, app_on, copy_catalogue
from tests.gunicorn_server import (
    CLI_TIMEOUT,
    PROJECT_ROOT,
    HttpClient,
    Reply,
    Server,
    catalogue_env,
    flask_cli,
    gunicorn,
)
from tests.index_crash_harness import KILL_POINTS
from tests.offer_forms import offer_form

PARTNER = "partner@example.org"  # a user of experimenta
EDITOR = "redaktion@example.org"
WORKERS = 4
# Safety bound of a whole burst of traffic; never a speed requirement.
BURST_TIMEOUT = 240.0


@pytest.fixture
def catalogue(catalogue_template: Catalogue, tmp_path: Path) -> Iterator[Catalogue]:
    """A seeded demo catalogue of the test's own."""
    own = copy_catalogue(catalogue_template, tmp_path)
    yield own
    own.drop()


@pytest.fixture
def env(catalogue: Catalogue) -> dict[str, str]:
    return catalogue_env(catalogue.url, catalogue.index_dir)


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    with gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS) as running:
        yield running
    # An answer other than 500 can still hide an exception that a handler turned into a page.
    assert "Traceback" not in running.log(), running.log()


def drift(catalogue: Catalogue) -> indexing.Drift:
    """Database against index, read in this process by an app of its own (no serving state)."""
    app = app_on(catalogue.url, catalogue.index_dir)
    with app.app_context():
        try:
            return indexing.check_index()
        finally:
            indexing.get_index().close()
            db.session.remove()
            db.engine.dispose()


def _submitted_slugs(catalogue: Catalogue) -> list[str]:
    engine = create_engine(catalogue.url)
    try:
        with engine.connect() as conn:
            query = select(Offer.slug).where(Offer.status == "submitted").order_by(Offer.slug)
            return list(conn.execute(query).scalars())
    finally:
        engine.dispose()


def _decisions(
    catalogue: Catalogue, slugs: list[str], statuses: tuple[str, ...] = ("published", "rejected")
) -> dict[str, int]:
    """Per offer, how many times it was moved to one of `statuses` (published or rejected)."""
    engine = create_engine(catalogue.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Offer.slug, OfferTransition.id)
                .join(OfferTransition, OfferTransition.offer_id == Offer.id)
                .where(
                    Offer.slug.in_(slugs),
                    OfferTransition.to_status.in_(statuses),
                )
            ).all()
    finally:
        engine.dispose()
    return dict(Counter(row.slug for row in rows))


# -- 1. many writers at once ---------------------------------------------------------------------

SUBMISSIONS = 100
PARTNER_CLIENTS = 10
EDITOR_CLIENTS = 6
# Every third run of PARTNER_CLIENTS consecutive submissions has one title for all: the clients
# take consecutive numbers, so those arrive together and all want the same slug.
SAME_TITLE = "Gleicher Titel für alle: Robotik-Werkstatt"


def _title(number: int) -> str:
    if (number // PARTNER_CLIENTS) % 3 == 0:
        return SAME_TITLE
    return f"Lastprobe Angebot {number}"


def _submit_all(server: Server, numbers: Iterator[int], lock: threading.Lock, out: dict) -> None:
    client = server.client().log_in(PARTNER, DEMO_PASSWORD)
    token = client.csrf_token("/partner/offers/new")
    while True:
        with lock:
            number = next(numbers, None)
        if number is None:
            return
        title = _title(number)
        reply = client.post(
            "/partner/offers/new",
            offer_form(title=title, action="submit", csrf_token=token),
        )
        with lock:
            out["statuses"][reply.status] += 1
        if reply.status == 302 and reply.location.startswith("/partner/offers/"):
            slug = reply.location.removeprefix("/partner/offers/")
            with lock:
                out["submitted"].append(slug)
            out["queue"].put(slug)
        else:
            with lock:
                out["failures"].append((title, reply.status, reply.body[:300]))


def _approve_arrivals(server: Server, lock: threading.Lock, out: dict, deadline: float) -> None:
    client = server.client().log_in(EDITOR, DEMO_PASSWORD)
    token = client.csrf_token("/moderation/")
    while time.monotonic() < deadline:
        try:
            slug = out["queue"].get(timeout=0.5)
        except queue.Empty:
            if out["submissions_done"].is_set():
                return
            continue
        reply = client.post(f"/moderation/offers/{slug}/approve", {"csrf_token": token})
        with lock:
            out["statuses"][reply.status] += 1
            if reply.status == 302 and reply.location == "/moderation/":
                out["approved"].append(slug)
            else:
                out["failures"].append((slug, reply.status, reply.location, reply.body[:300]))


def _decide_at_once(editors: list[HttpClient], tokens: list[str], slug: str) -> list[Reply]:
    """All but the last editor approve the offer, the last rejects it, all at the same moment."""
    start = threading.Barrier(len(editors))

    def decide(number: int) -> Reply:
        form = {"csrf_token": tokens[number]}
        action = "approve"
        if number == len(editors) - 1:
            action, form["reason"] = "reject", "Bitte Termine ergänzen."
        start.wait(timeout=30)
        return editors[number].post(f"/moderation/offers/{slug}/{action}", form)

    with ThreadPoolExecutor(len(editors)) as pool:
        return list(pool.map(decide, range(len(editors))))


def test_concurrent_submissions_and_decisions_lose_nothing_and_the_index_converges(
    server: Server, catalogue: Catalogue, env: dict[str, str]
) -> None:
    """100 submissions (a third of them in bursts with one title) and their 100 approvals from
    16 clients over 4 workers: no 5xx, every success in the database once, and after `index
    sync` the index holds exactly the published offers."""
    out: dict = {
        "statuses": Counter(),
        "submitted": [],
        "approved": [],
        "failures": [],
        "queue": queue.Queue(),
        "submissions_done": threading.Event(),
    }
    lock = threading.Lock()
    numbers = iter(range(SUBMISSIONS))
    deadline = time.monotonic() + BURST_TIMEOUT
    with ThreadPoolExecutor(PARTNER_CLIENTS + EDITOR_CLIENTS) as pool:
        editors = [
            pool.submit(_approve_arrivals, server, lock, out, deadline)
            for _ in range(EDITOR_CLIENTS)
        ]
        partners = [
            pool.submit(_submit_all, server, numbers, lock, out) for _ in range(PARTNER_CLIENTS)
        ]
        try:
            for task in partners:
                task.result(timeout=BURST_TIMEOUT)
        finally:
            out["submissions_done"].set()
        for task in editors:
            task.result(timeout=BURST_TIMEOUT)

    assert not any(status >= 500 for status in out["statuses"]), out["statuses"]
    assert out["failures"] == []
    assert len(out["submitted"]) == SUBMISSIONS
    assert sorted(out["approved"]) == sorted(out["submitted"])
    same_title = [slug for slug in out["submitted"] if slug.startswith("gleicher-titel")]
    assert len(same_title) == len(set(same_title))
    assert len(same_title) == sum(_title(n) == SAME_TITLE for n in range(SUBMISSIONS))

    # Every success is in the database, published, with each step of its history recorded once.
    engine = create_engine(catalogue.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Offer.id, Offer.slug, Offer.status).where(Offer.slug.in_(out["submitted"]))
            ).all()
            steps = Counter(
                conn.execute(
                    select(OfferTransition.offer_id).where(
                        OfferTransition.offer_id.in_([row.id for row in rows])
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    assert sorted(row.slug for row in rows) == sorted(out["submitted"])
    assert {row.status for row in rows} == {"published"}
    assert steps == {row.id: 3 for row in rows}  # draft, submitted, published

    # Editors deciding on one submission at the same moment: one decides, the others are told
    # there is nothing left to decide, and the history holds one decision.
    editors = [server.client().log_in(EDITOR, DEMO_PASSWORD) for _ in range(3)]
    tokens = [editor.csrf_token("/moderation/") for editor in editors]
    waiting = _submitted_slugs(catalogue)
    assert waiting
    for slug in waiting:
        replies = _decide_at_once(editors, tokens, slug)
        assert sorted(reply.location for reply in replies) == [
            "/moderation/",
            *[f"/moderation/offers/{slug}"] * (len(editors) - 1),
        ], [(reply.status, reply.location) for reply in replies]
    assert _decisions(catalogue, waiting) == dict.fromkeys(waiting, 1)

    # A partner's double click on "submit" (or two colleagues at once): it is submitted once.
    colleagues = [server.client().log_in(PARTNER, DEMO_PASSWORD) for _ in range(3)]
    saved = colleagues[0].post(
        "/partner/offers/new",
        offer_form(
            title="Doppelklick-Werkstatt",
            action="save",
            csrf_token=colleagues[0].csrf_token("/partner/offers/new"),
        ),
    )
    draft = saved.location.removeprefix("/partner/offers/")
    tokens = [colleague.csrf_token("/partner/") for colleague in colleagues]
    start = threading.Barrier(len(colleagues))

    def submit(number: int) -> Reply:
        start.wait(timeout=30)
        form = {"csrf_token": tokens[number]}
        return colleagues[number].post(f"/partner/offers/{draft}/submit", form)

    with ThreadPoolExecutor(len(colleagues)) as pool:
        replies = list(pool.map(submit, range(len(colleagues))))
    assert all(reply.status < 500 for reply in replies), [reply.status for reply in replies]
    assert _decisions(catalogue, [draft], statuses=("submitted",)) == {draft: 1}

    flask_cli(env, "index", "sync")
    found = drift(catalogue)
    assert (found.missing, found.extra, found.pending) == (set(), set(), 0)


# -- 2. the index writer lock held by another process ---------------------------------------------

SALT = "vorschau-entwurf-experimenta-unterwegs-salz-und-sole-in-bad-rappenau"  # submitted
SALT_QUERY = "Salz Sole Bad Rappenau"
STAR = "abend-in-der-experimenta-sternwarte-himmelsbeobachtung-fuer-astronomie-kurse"
STAR_QUERY = "Sternwarte Himmelsbeobachtung"
HOLD_SECONDS = 3.0
# Another process's index writer: takes the lock of the current generation, says so, and holds it
# until the test writes a line (or a minute has passed), then lets it go without writing.
LOCK_HOLDER = """
import select, sys
from pathlib import Path
from whoosh import index
from search_index import generations
root = Path(sys.argv[1])
writer = index.open_dir(str(root / generations.current_name(root))).writer()
print("locked", flush=True)
select.select([sys.stdin], [], [], 60)
writer.cancel()
"""


def found_slugs(client: HttpClient, q: str) -> set[str]:
    reply = client.get("/api/v1/offers?" + urlencode({"q": q, "per_page": 100}))
    assert reply.status == 200, (reply.status, reply.body[:300])
    return {result["slug"] for result in reply.json()["results"]}


def withdraw_behind_the_servers_back(catalogue: Catalogue, slug: str) -> None:
    """Withdraw an offer and log the change, as another machine's server would: these servers
    learn of it only from the change log."""
    engine = create_engine(catalogue.url)
    try:
        with engine.begin() as conn:
            offer = conn.execute(select(Offer.id).where(Offer.slug == slug)).scalar_one()
            conn.execute(update(Offer).where(Offer.id == offer).values(status="withdrawn"))
            conn.execute(insert(IndexChange).values(offer_id=offer))
    finally:
        engine.dispose()


def _approve_while_locked(
    holder: subprocess.Popen, server: Server, editor: HttpClient, token: str, visitor: HttpClient
) -> Reply:
    """Search while the lock is held, send the approval, release the lock after HOLD_SECONDS."""
    assert holder.stdout.readline().strip() == "locked"
    locked_at = time.monotonic()
    # Searches and pages keep answering from the index as it is.
    for _ in range(2 * WORKERS):
        assert STAR in found_slugs(server.client(), STAR_QUERY)
    assert visitor.get("/offers?" + urlencode({"q": STAR_QUERY})).status == 200
    with ThreadPoolExecutor(1) as pool:
        approval = pool.submit(
            editor.post, f"/moderation/offers/{SALT}/approve", {"csrf_token": token}
        )
        time.sleep(max(0.0, locked_at + HOLD_SECONDS - time.monotonic()))
        assert holder.poll() is None, "the lock holder gave up early"
        holder.stdin.write("release\n")
        holder.stdin.flush()
        return approval.result(timeout=60)


@pytest.fixture
def lock_env(catalogue: Catalogue) -> dict[str, str]:
    # Longer than the lock is held: the approval's own index update waits for it.
    return catalogue_env(catalogue.url, catalogue.index_dir, INDEX_LOCK_TIMEOUT="10")


def test_a_busy_index_lock_delays_indexing_but_fails_no_request(
    catalogue: Catalogue, lock_env: dict[str, str], tmp_path: Path
) -> None:
    """Another process holds the index writer lock for 3 s: searches answer meanwhile, an
    approval waits for the lock and indexes its offer itself; a change only the change log
    knows of reaches the index through the workers' follower."""
    with gunicorn(lock_env, tmp_path / "gunicorn.log", workers=WORKERS) as server:
        editor = server.client().log_in(EDITOR, DEMO_PASSWORD)
        token = editor.csrf_token("/moderation/")
        visitor = server.client()
        assert SALT not in found_slugs(visitor, SALT_QUERY)

        with subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(catalogue.index_dir)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as holder:
            try:
                reply = _approve_while_locked(holder, server, editor, token, visitor)
            except BaseException:
                holder.kill()
                raise
            assert holder.wait(timeout=30) == 0
        assert (reply.status, reply.location) == (302, "/moderation/")
        # The approval waited for the lock and updated the index itself before it answered (no
        # request ran since that could have caught up instead): nothing is missing or pending.
        found = drift(catalogue)
        assert (found.missing, found.extra, found.pending) == (set(), set(), 0)
        assert SALT in found_slugs(visitor, SALT_QUERY)

        # A change another machine wrote to the change log reaches this machine's index through
        # the workers' change-log follower, without `index sync`.
        # (Search results are checked against the database, so ask the index itself.)
        withdraw_behind_the_servers_back(catalogue, STAR)
        deadline = time.monotonic() + 30
        while drift(catalogue).total:
            assert time.monotonic() < deadline, "no worker followed the change log"
            server.client().get("/")  # a request, before which a worker looks at the log
            time.sleep(0.5)
        assert drift(catalogue).pending == 0
    assert "Traceback" not in server.log(), server.log()


# -- 3. index writers killed in the middle of a commit ---------------------------------------------


def test_an_index_writer_killed_in_its_commit_leaves_a_readable_index_that_sync_repairs(
    catalogue: Catalogue, env: dict[str, str]
) -> None:
    """Ten kill points in `index sync` and `index rebuild` (tests/index_crash_harness.py): after
    each, the index answers searches as the crash left it, and a sync leaves no drift."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.index_crash_harness"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rounds = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rounds) == len(KILL_POINTS) == 10, result.stdout
    for outcome in rounds:
        assert outcome["outcome"] == "killed", outcome
        assert "error" not in outcome, outcome
        assert outcome["roboter"] > 0 and outcome["all"] > 0, outcome
        assert (outcome["drift"], outcome["pending"]) == (0, 0), outcome
    # The command line agrees, in a process of its own.
    assert "drift: 0" in flask_cli(env, "index", "check").stdout


# -- 4. the index directory gone, and rebuilt while searches run -----------------------------------

ROBOTER = "/api/v1/offers?q=Roboter&per_page=5"


@pytest.fixture(scope="module")
def shared(
    catalogue_template: Catalogue, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Catalogue, dict[str, str], Server]]:
    """One catalogue and server for the tests of the index directory; each leaves a whole index."""
    directory = tmp_path_factory.mktemp("shared")
    own = copy_catalogue(catalogue_template, directory)
    env = catalogue_env(own.url, own.index_dir)
    try:
        with gunicorn(env, directory / "gunicorn.log", workers=WORKERS) as running:
            yield own, env, running
    finally:
        own.drop()
    assert "Traceback" not in running.log(), running.log()


def _roboter_total(client: HttpClient) -> int:
    reply = client.get(ROBOTER)
    assert reply.status == 200, (reply.status, reply.body[:300])
    body = reply.json()
    assert body["results"], body
    return body["total"]


def test_without_an_index_pages_answer_with_a_notice_until_a_rebuild_restores_search(
    shared: tuple[Catalogue, dict[str, str], Server],
) -> None:
    """The index directory deleted while serving: pages show a notice, the API answers 503,
    /healthz says "missing"; `index rebuild` restores search in every worker, with the offer
    approved meanwhile."""
    catalogue, env, server = shared
    editor = server.client().log_in(EDITOR, DEMO_PASSWORD)
    token = editor.csrf_token("/moderation/")
    for _ in range(2 * WORKERS):  # every worker has its searcher open
        total = _roboter_total(server.client())

    shutil.rmtree(catalogue.index_dir)
    # Writing goes on; the change reaches the index with the rebuild.
    reply = editor.post(f"/moderation/offers/{SALT}/approve", {"csrf_token": token})
    assert (reply.status, reply.location) == (302, "/moderation/")
    for _ in range(WORKERS):  # fresh connections: more than one worker answers
        client = server.client()
        home = client.get("/")
        assert home.status == 200
        assert "Die Suche wird gerade neu aufgebaut" in home.body
        page = client.get("/offers?" + urlencode({"q": "Roboter"}))
        assert page.status == 200
        assert "Die Suche wird gerade neu aufgebaut" in page.body
        api = client.get(ROBOTER)
        assert api.status == 503
        assert api.json()["error"]["code"] == "index_unavailable"
        health = client.get("/healthz").json()
        assert (health["status"], health["index"]["status"]) == ("degraded", "missing")

    flask_cli(env, "index", "rebuild")
    for _ in range(3 * WORKERS):
        client = server.client()
        assert _roboter_total(client) == total
        assert SALT in found_slugs(client, SALT_QUERY)
        assert client.get("/healthz").json()["index"]["status"] == "ok"
    assert drift(catalogue).total == 0


# Safety bound of the searches sent during rebuilds.
MAX_SEARCHES = 2000


def _search_until(stop: threading.Event, server: Server, totals: list[int | str]) -> None:
    client = server.client()
    while not stop.is_set() and len(totals) < MAX_SEARCHES:
        reply = client.get(ROBOTER)
        if reply.status != 200:
            totals.append(f"{reply.status}: {reply.body[:200]}")
        elif not reply.json()["results"]:
            totals.append("no results")
        else:
            totals.append(reply.json()["total"])


def test_searches_during_an_index_rebuild_never_fail_or_come_back_empty(
    shared: tuple[Catalogue, dict[str, str], Server],
) -> None:
    """Two clients search without pause while `index rebuild` builds and swaps in a new
    generation: every answer is a 200 with the same results count."""
    catalogue, env, server = shared
    total = _roboter_total(server.client())
    generation = server.client().get("/healthz").json()["index"]["generation"]
    stop = threading.Event()
    seen: list[list[int | str]] = [[], []]
    with ThreadPoolExecutor(len(seen)) as pool:
        searches = [pool.submit(_search_until, stop, server, totals) for totals in seen]
        try:
            flask_cli(env, "index", "rebuild")
        finally:
            stop.set()
        for task in searches:
            task.result(timeout=60)
    # The searches ran from before the swap to after it.
    assert server.client().get("/healthz").json()["index"]["generation"] != generation
    assert all(len(totals) > 0 for totals in seen)
    assert {answer for totals in seen for answer in totals} == {total}
    assert drift(catalogue).total == 0
