"""`make bench`: import, index and search synthetic catalogues of 10,000 and 100,000 offers.

Each catalogue is measured in a process of its own (so that its peak memory is its own) on a
temporary SQLite database and index, through the same code users run: the `offers import`
command, `index rebuild`, the search API (in-process, with facet counts and highlights) and the
editor's approval. Prints the figures and how far each is from its target; asserts nothing
(speed is read by people, not checked by a timed test).

    python tests/benchmarks/run_benchmarks.py [SIZE ...]     # default: 10000 100000
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SIZES = (10_000, 100_000)
SEARCHES = 200
PUBLISH_SAMPLES = 5
# Targets of issue 4, for 2 cores: search p95 by catalogue size, and rebuild speed.
SEARCH_P95_TARGET_MS = {10_000: 10.0, 100_000: 50.0}
REBUILD_TARGET_PER_S = 2000.0

# What people type (see tests/test_relevance.py for the words' meaning in the demo data).
WORDS = (
    "Roboter", "Programmieren", "Chemie", "Labor", "Ferien", "Mädchen", "Experimente",
    "Mikroskop", "Elektronik", "Sterne", "3D-Druck", "Kita", "Informatik", "Physik", "Biologie",
    "Praktikum", "Studium", "Mathematik", "Umwelt", "Nachhaltigkeit", "Coding", "Technik",
    "Workshop", "Schülerlabor", "Lehrkräfte", "Fortbildung", "Wettbewerb", "Astronomie",
    "Energie", "Wasser", "Ausbildung", "Forschung", "Löten", "Kindergarten", "Grundschule",
    "Robotik AG", "Chemi", "Progammieren", "Robter", "Ferienprogramm Kita",
)  # fmt: skip
STAGES = ("early-childhood", "primary", "lower-secondary", "upper-secondary", "vocational")
SUBJECTS = ("computer-science", "robotics", "natural-sciences", "chemistry", "technology")
DISTRICTS = ("heilbronn-city", "heilbronn-county")


def search_mix(count: int = SEARCHES, seed: int = 7) -> list[tuple[str, str]]:
    """A fixed mix of (kind, query string): the same searches on every run."""
    rnd = random.Random(seed)
    kinds = (
        "text",
        "text + filters",
        "filters",
        "age",
        "text, page 2",
        "filters, sorted by date",
    )
    mix = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        params: list[tuple[str, object]] = []
        if kind.startswith("text"):
            params.append(("q", rnd.choice(WORDS)))
        if kind in ("text + filters", "filters", "filters, sorted by date"):
            params.append(("stage", rnd.choice(STAGES)))
            if rnd.random() < 0.5:
                params.append(("subject", rnd.choice(SUBJECTS)))
            if rnd.random() < 0.5:
                params.append(("district", rnd.choice(DISTRICTS)))
            if rnd.random() < 0.3:
                params.append(("free", 1))
        if kind == "age" or (kind == "text + filters" and rnd.random() < 0.5):
            params.append(("age", rnd.randint(4, 18)))
        if kind == "text, page 2":
            params.append(("page", 2))
        if kind == "filters, sorted by date":
            params.append(("sort", "date"))
        mix.append((kind, urlencode(params)))
    return mix


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def measure(size: int) -> dict[str, float]:
    """Every figure for one catalogue of `size` synthetic offers."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from synthetic_catalogue import write_catalogue

    from catalogue import create_app, indexing, offers
    from catalogue.extensions import db
    from catalogue.models import Offer, User
    from catalogue.seeding import SEEDS_DIR, read_json, seed_partners, seed_vocabulary

    figures: dict[str, float] = {"size": size}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "INDEX_DIR": f"{tmp}/index",
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            upgrade()
            seed_vocabulary(db.session, read_json("vocabulary.json", SEEDS_DIR))
            seed_partners(db.session, read_json("partners.json", SEEDS_DIR)["partners"])
            db.session.add(User(email="bench@example.org", role="editor", password_hash="-"))
            db.session.commit()

        catalogue_file = Path(tmp) / "catalogue.jsonl"
        started = time.perf_counter()
        write_catalogue(catalogue_file, size)
        figures["generate_s"] = time.perf_counter() - started

        # No index exists yet, so the import only writes the database and the change log;
        # the rebuild below indexes everything.
        started = time.perf_counter()
        outcome = app.test_cli_runner().invoke(args=["offers", "import", str(catalogue_file)])
        figures["import_s"] = time.perf_counter() - started
        if outcome.exit_code != 0:
            raise SystemExit(f"import failed: {outcome.output}")

        with app.app_context():
            started = time.perf_counter()
            figures["published"] = indexing.rebuild_index()
            figures["rebuild_s"] = time.perf_counter() - started

        client = app.test_client()
        mix = search_mix()
        started = time.perf_counter()
        client.get(f"/api/v1/offers?{mix[0][1]}")
        figures["first_search_ms"] = (time.perf_counter() - started) * 1000
        # The mix twice: first with the caches a new index generation starts with (each word's
        # score tables and sets are built on first use), then as a steady state.
        for run in ("cold", "warm"):
            timings: dict[str, list[float]] = {}
            for kind, query in mix:
                started = time.perf_counter()
                response = client.get(f"/api/v1/offers?{query}")
                timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{query}: {response.status_code} {response.get_data()}")
            every = [value for values in timings.values() for value in values]
            figures[f"search_p50_ms_{run}"] = statistics.median(every)
            figures[f"search_p95_ms_{run}"] = percentile(every, 0.95)
        for kind, values in timings.items():
            figures[f"search_p50_ms[{kind}]"] = statistics.median(values)

        suggest = []
        for word in WORDS[:40]:
            started = time.perf_counter()
            client.get(f"/api/v1/suggest?{urlencode({'q': word[:4]})}")
            suggest.append((time.perf_counter() - started) * 1000)
        figures["suggest_p95_ms"] = percentile(suggest, 0.95)

        figures["publish_to_searchable_ms"] = _publish_latency(app, client, db, offers)
        with app.app_context():
            figures["offers"] = db.session.execute(select(func.count(Offer.id))).scalar_one()
    figures["peak_rss_mb"] = peak_rss_mb(resource.RUSAGE_SELF)
    figures["peak_rss_build_worker_mb"] = peak_rss_mb(resource.RUSAGE_CHILDREN)
    return figures


def _publish_latency(app, client, db, offers) -> float:
    """Median time from an editor's approval to the offer being found by the search API."""
    from sqlalchemy import select

    from catalogue.models import Offer, User

    latencies = []
    with app.app_context():
        editor = db.session.execute(select(User)).scalars().first()
        waiting = (
            db.session.execute(select(Offer).where(Offer.status == "submitted").limit(5))
            .scalars()
            .all()
        )
        for number, offer in enumerate(waiting[:PUBLISH_SAMPLES]):
            marker = f"Messpunkt{number}zeichen"
            offer.title = f"{offer.title} {marker}"
            db.session.commit()
            started = time.perf_counter()
            offers.approve(db.session, offer, editor)
            db.session.commit()  # indexing happens on this commit, through the change log
            body = client.get(f"/api/v1/offers?q={marker}").get_json()
            latencies.append((time.perf_counter() - started) * 1000)
            if body["total"] != 1:
                raise SystemExit(f"published offer not found: {body}")
    return statistics.median(latencies)


def _distance(value: float, target: float, *, higher_is_better: bool) -> str:
    if (value >= target) if higher_is_better else (value <= target):
        return "meets target"
    factor = target / value if higher_is_better else value / target
    return f"{factor:.1f}x from target"


def report(results: list[dict[str, float]]) -> None:
    print()
    print("| figure | " + " | ".join(f"{int(r['size']):,} offers" for r in results) + " |")
    print("|---|" + "---|" * len(results))
    rows = [
        ("generate JSON Lines (s)", "generate_s", "{:.1f}"),
        ("offers import (s)", "import_s", "{:.1f}"),
        ("full rebuild (s)", "rebuild_s", "{:.1f}"),
        ("first search after rebuild (ms)", "first_search_ms", "{:.0f}"),
        ("search API p50, first pass (ms)", "search_p50_ms_cold", "{:.1f}"),
        ("search API p95, first pass (ms)", "search_p95_ms_cold", "{:.1f}"),
        ("search API p50, second pass (ms)", "search_p50_ms_warm", "{:.1f}"),
        ("search API p95, second pass (ms)", "search_p95_ms_warm", "{:.1f}"),
        ("suggest API p95 (ms)", "suggest_p95_ms", "{:.1f}"),
        ("publish → searchable (ms, median)", "publish_to_searchable_ms", "{:.0f}"),
        ("peak RSS, app process (MB)", "peak_rss_mb", "{:.0f}"),
        ("peak RSS, index build worker (MB)", "peak_rss_build_worker_mb", "{:.0f}"),
    ]
    for label, key, fmt in rows:
        print(f"| {label} | " + " | ".join(fmt.format(r[key]) for r in results) + " |")
    rates = [r["published"] / r["rebuild_s"] for r in results]
    print(
        "| rebuild (published offers/s) | "
        + " | ".join(
            f"{rate:.0f} ({_distance(rate, REBUILD_TARGET_PER_S, higher_is_better=True)})"
            for rate in rates
        )
        + " |"
    )
    print()
    for r in results:
        size = int(r["size"])
        target = SEARCH_P95_TARGET_MS.get(size)
        if target:
            for run in ("cold", "warm"):
                p95 = r[f"search_p95_ms_{run}"]
                print(
                    f"search p95 at {size:,} ({'first' if run == 'cold' else 'second'} pass): "
                    f"{p95:.1f} ms, target {target:.0f} ms: "
                    f"{_distance(p95, target, higher_is_better=False)}"
                )
        kinds = {
            k[len("search_p50_ms[") : -1]: v for k, v in r.items() if k.startswith("search_p50_ms[")
        }
        print(
            f"  p50 by kind at {size:,}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in kinds.items())
        )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return
    sizes = [int(arg) for arg in argv] or list(SIZES)
    results = []
    started = time.perf_counter()
    for size in sizes:
        print(f"measuring a synthetic catalogue of {size:,} offers …", flush=True)
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    report(results)
    print(f"\n(make bench took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
