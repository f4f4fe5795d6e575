"""`make bench`: search timings through the JSON API, in-process, on a temporary demo catalogue.

Prints figures; asserts nothing (speed is read by people, not checked by a timed test).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from catalogue import create_app, indexing  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.seeding import seed_all  # noqa: E402

# A fixed mix: text only, text + filters, filters only, age only, sorted, second page.
QUERIES = [
    "q=Roboter",
    "q=Chemie+Labor",
    "q=Programmieren&stage=primary",
    "q=Experimente&age=6",
    "stage=lower-secondary&audience=school-classes&district=heilbronn-county",
    "subject=natural-sciences&free=1",
    "age=9",
    "age=16&format=internship",
    "sort=title&page=2",
    "q=Ferien&sort=date",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
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
            seed_all(db.session)
            db.session.commit()
            started = time.perf_counter()
            count = indexing.rebuild_index()
            rebuild = time.perf_counter() - started
        client = app.test_client()
        for query in QUERIES:  # warm the searcher and its cached filter sets
            client.get(f"/api/v1/offers?{query}")
        timings = []
        for i in range(200):
            started = time.perf_counter()
            response = client.get(f"/api/v1/offers?{QUERIES[i % len(QUERIES)]}")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)
    print(f"demo catalogue: {count} published offers")
    print(f"index rebuild: {rebuild:.2f} s ({count / rebuild:.0f} offers/s)")
    print(
        f"search API, 200 requests: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
