"""Visitors of the catalogue for Locust, run by tests/load/run_load.py (`make load`).

Mostly parents, teachers and pupils reading: the start page, searches with German words and
filters, offer and partner pages, the watchlist, the JSON API and the search box's suggestions.
A few partners (the demo account) log in once each and save and submit drafts through the offer
form, and one editor approves submissions, so that writes, change-log rows and index updates run
beside the searches. Requests are named by route (`/offers/<slug>`), so Locust's table is per route.

An answer is a failure when its status is not the one the route should give: 5xx and connection
errors always are; a 404 for an unknown slug or a 400 for a bad parameter is the expected answer.
This file imports only Locust, the standard library and tests/offer_forms.py (standard library
only): Locust monkeypatches with gevent, and the application never runs in this process.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment

from tests.offer_forms import offer_form

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
DEMO_PASSWORD = "mint-demo-2026"  # catalogue/seeding.py; not imported, see the docstring
PARTNER_EMAIL = "partner@example.org"
EDITOR_EMAIL = "redaktion@example.org"

VOCABULARY = json.loads((SEEDS_DIR / "vocabulary.json").read_text(encoding="utf-8"))
FACETS = {
    facet: [term["slug"] for term in VOCABULARY[key]]
    for facet, key in (
        ("stage", "stages"),
        ("subject", "subjects"),
        ("format", "formats"),
        ("audience", "audiences"),
        ("district", "districts"),
        ("mode", "modes"),
    )
}
# What parents and teachers type, typos and gendered forms included; "" is browsing.
QUERIES = (
    "Roboter", "Schülerlabor Chemie", "Programmieren", "Ferien", "Mädchen", "Maedchen",
    "Experimente", "Kita", "Kindergarten", "Sterne", "Löten", "3D-Druck", "Praktikum", "Studium",
    "Informatik", "Mikroskop", "Schüler*innen", "Robter", "Progammieren", "Ferienprogramm Kita",
    "Lehrkräfte Fortbildung", "Wettbewerb Mathematik", "Umwelt Wasser", "\"Roboter bauen\"", "",
    "",
)  # fmt: skip
PREFIXES = ("ro", "rob", "robo", "chem", "prog", "kit", "ferie", "mikro", "mäd", "ster", "lö")
SORTS = ("relevance", "date", "title", "new")
# Bad input a visitor may send; each answers 400 with a message, never 500.
BAD_PARAMETERS = (
    {"age": "neun"},
    {"age": "200"},
    {"stage": "gymnasium"},
    {"from": "2026-13-01"},
    {"per_page": "1000"},
    {"page": "0"},
)
CSRF_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
INPUT_VALUE = re.compile(r'value="([^"]+)"')
REVIEW_LINK = re.compile(r'href="/moderation/offers/([a-z0-9-]+)"')

# Filled once before the users start (on_test_start): slugs the visitors click on.
CATALOGUE: dict[str, list[str]] = {"offers": [], "partners": []}


@events.init_command_line_parser.add_listener
def add_options(parser: LocustArgumentParser) -> None:
    parser.add_argument(
        "--think-time",
        default="1-4",
        help="seconds a visitor reads between two clicks, drawn from MIN-MAX (default 1-4)",
    )


@events.test_start.add_listener
def on_test_start(environment: Environment, **_kwargs: Any) -> None:
    """Read published offer and partner slugs through the API, as a client would."""
    import requests  # Locust's own dependency; imported here, after its monkeypatching

    with requests.Session() as client:
        for page in range(1, 4):
            answer = client.get(
                f"{environment.host}/api/v1/offers",
                params={"per_page": 100, "page": page, "sort": "title"},
                timeout=30,
            )
            answer.raise_for_status()
            CATALOGUE["offers"] += [offer["slug"] for offer in answer.json()["results"]]
        answer = client.get(f"{environment.host}/api/v1/partners", timeout=30)
        answer.raise_for_status()
        CATALOGUE["partners"] = [partner["slug"] for partner in answer.json()["results"]]
    if not CATALOGUE["offers"] or not CATALOGUE["partners"]:
        raise RuntimeError("the catalogue under test has no published offers or partners")


def search_params(rng: random.Random) -> list[tuple[str, Any]]:
    """One search as people make them: a word or two, zero to three filters, sometimes more."""
    params: list[tuple[str, Any]] = []
    query = rng.choice(QUERIES)
    if query:
        params.append(("q", query))
    for facet in rng.sample(sorted(FACETS), k=rng.choice((0, 0, 1, 1, 1, 2, 3))):
        for value in rng.sample(FACETS[facet], k=rng.choice((1, 1, 1, 2))):
            params.append((facet, value))
    if rng.random() < 0.3:
        params.append(("age", rng.randint(4, 18)))
    if rng.random() < 0.15:
        params.append(("free", 1))
    if rng.random() < 0.1:
        params += [("from", "2027-01-01"), ("to", "2027-06-30")]
    if rng.random() < 0.2:
        params.append(("sort", rng.choice(SORTS)))
    if rng.random() < 0.15:
        params.append(("page", 2))
    return params


def expect(response: Any, *statuses: int) -> None:
    """Mark a `catch_response` answer as failed unless its status is one of `statuses`."""
    if response.status_code in statuses:
        response.success()
    else:
        response.failure(f"status {response.status_code}, expected {statuses}")


def form_token(html: str) -> str | None:
    """The CSRF token of the first form on a page."""
    field = CSRF_TOKEN.search(html)
    value = INPUT_VALUE.search(field.group(0)) if field else None
    return value.group(1) if value else None


class Visitor(HttpUser):
    """A parent, teacher or pupil: looks around, searches, reads offers, keeps a watchlist."""

    weight = 1  # all users but the fixed partners and editor below

    def on_start(self) -> None:
        self.rng = random.Random()
        low, _, high = self.environment.parsed_options.think_time.partition("-")
        self.think_time = (float(low), float(high or low))

    def wait_time(self) -> float:
        """Reading time between two clicks (`--think-time`)."""
        return self.rng.uniform(*self.think_time)

    def offer_slug(self) -> str:
        return self.rng.choice(CATALOGUE["offers"])

    def get(self, url: str, name: str, *statuses: int) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            expect(response, *(statuses or (200,)))

    @task(10)
    def home(self) -> None:
        self.get("/?lang=en" if self.rng.random() < 0.1 else "/", "/")

    @task(25)
    def search_page(self) -> None:
        self.get(f"/offers?{urlencode(search_params(self.rng))}", "/offers")

    @task(20)
    def offer_page(self) -> None:
        self.get(f"/offers/{self.offer_slug()}", "/offers/<slug>")

    @task(10)
    def suggest(self) -> None:
        prefix = self.rng.choice(PREFIXES)
        self.get(f"/api/v1/suggest?{urlencode({'q': prefix})}", "/api/v1/suggest")

    @task(8)
    def search_api(self) -> None:
        params = [*search_params(self.rng), ("per_page", self.rng.choice((10, 20, 50)))]
        self.get(f"/api/v1/offers?{urlencode(params)}", "/api/v1/offers")

    @task(3)
    def offer_api(self) -> None:
        self.get(f"/api/v1/offers/{self.offer_slug()}", "/api/v1/offers/<slug>")

    @task(4)
    def partners(self) -> None:
        self.get("/partners", "/partners")

    @task(4)
    def partner_page(self) -> None:
        self.get(f"/partners/{self.rng.choice(CATALOGUE['partners'])}", "/partners/<slug>")

    @task(3)
    def watchlist(self) -> None:
        slugs = self.rng.sample(CATALOGUE["offers"], k=self.rng.randint(1, 6))
        self.get(f"/merkliste?angebote={','.join(slugs)}", "/merkliste")

    @task(1)
    def unknown_offer(self) -> None:
        self.get("/offers/gibt-es-nicht-mehr", "/offers/<slug> (unknown: 404)", 404)

    @task(1)
    def bad_search(self) -> None:
        params = {"q": "Roboter", **self.rng.choice(BAD_PARAMETERS)}
        if self.rng.random() < 0.5:
            self.get(f"/offers?{urlencode(params)}", "/offers (bad parameter: 400)", 400)
        else:
            self.get(f"/api/v1/offers?{urlencode(params)}", "/api/v1/offers (bad: 400)", 400)


class _SignedIn(HttpUser):
    """A user who logs in once through the login form (failed logins are throttled)."""

    abstract = True
    email = ""

    def on_start(self) -> None:
        self.rng = random.Random()
        page = self.client.get("/login", name="/login")
        token = form_token(page.text)
        with self.client.post(
            "/login",
            data={"email": self.email, "password": DEMO_PASSWORD, "csrf_token": token or ""},
            name="/login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expect(response, 302)

    def post_form(
        self, page: tuple[str, str], target: tuple[str, str], data: dict, redirect_to: str
    ) -> Any:
        """Open a form page and post `data` with its CSRF token; the answer should redirect to a
        path that `redirect_to` (a regular expression) matches: a refused form answers 400, a
        refused action redirects elsewhere. `page` and `target` are (URL, route name) pairs."""
        token = form_token(self.client.get(page[0], name=page[1]).text)
        with self.client.post(
            target[0],
            data={**data, "csrf_token": token or ""},
            name=target[1],
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = urlsplit(response.headers.get("Location", "")).path
            if response.status_code == 302 and not re.fullmatch(redirect_to, location):
                response.failure(f"redirected to {location}, expected {redirect_to}")
            else:
                expect(response, 302)
            return response


_DRAFT_NUMBERS = itertools.count(1)


def draft_form(number: int, rng: random.Random, action: str) -> dict[str, Any]:
    """The partner's offer form (tests/offer_forms.py), a little different each time."""
    return offer_form(
        title=f"Lasttest {number}: Roboter bauen in den Herbstferien",
        stages=rng.sample(["primary", "lower-secondary", "upper-secondary"], k=rng.randint(1, 2)),
        municipality=rng.choice(["Neckarsulm", "Eppingen", "Bad Rappenau"]),
        action=action,
    )


class Partner(_SignedIn):
    """A member organisation's staff: writes drafts, edits them, submits some for review."""

    fixed_count = 3
    email = PARTNER_EMAIL
    wait_time = between(5, 15)  # filling in a form takes a while

    def on_start(self) -> None:
        super().on_start()
        self.drafts: list[str] = []

    @task(3)
    def overview(self) -> None:
        self.client.get("/partner/", name="/partner/")

    @task(2)
    def new_draft(self) -> None:
        number = next(_DRAFT_NUMBERS)
        new = ("/partner/offers/new", "/partner/offers/new")
        form = draft_form(number, self.rng, "save")
        response = self.post_form(new, new, form, r"/partner/offers/[a-z0-9-]+")
        location = response.headers.get("Location", "")
        if location:
            self.client.get(location, name="/partner/offers/<slug>")
            self.drafts.append(location.rstrip("/").rsplit("/", 1)[-1])

    @task(2)
    def edit_draft(self) -> None:
        if not self.drafts:
            return
        slug = self.drafts[-1]
        # Every other edit submits the draft for review; the editor below approves it.
        action = self.rng.choice(("save", "submit"))
        edit = (f"/partner/offers/{slug}/edit", "/partner/offers/<slug>/edit")
        form = draft_form(next(_DRAFT_NUMBERS), self.rng, action)
        self.post_form(edit, edit, form, f"/partner/offers/{slug}")
        if action == "submit":
            self.drafts.pop()


class Editor(_SignedIn):
    """The alliance's editor: reads the moderation queue and approves the oldest submission.

    One only: a second editor would race for the same oldest submission, find it approved
    already and be sent back to the review page, which this file counts as a failure."""

    fixed_count = 1
    email = EDITOR_EMAIL
    wait_time = between(3, 8)

    @task
    def approve_oldest(self) -> None:
        queue = self.client.get("/moderation/", name="/moderation/")
        waiting = REVIEW_LINK.findall(queue.text)
        if not waiting:
            return
        slug = waiting[0]
        self.post_form(
            (f"/moderation/offers/{slug}", "/moderation/offers/<slug>"),
            (f"/moderation/offers/{slug}/approve", "/moderation/offers/<slug>/approve"),
            {},
            "/moderation/",  # back to the queue; to the review page if approving failed
        )
