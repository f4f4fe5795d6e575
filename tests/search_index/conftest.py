"""A small real index of hand-written offers, built on disk per test.

Test modules cannot import from here (tests/ is no package, and a package named search_index
would shadow the real one), so helpers are fixtures.
"""

import datetime
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from search_index import OfferDocument, SearchIndex, SearchRequest, SearchResult

BERLIN = ZoneInfo("Europe/Berlin")
BUILT_THROUGH_SEQ = 10


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=BERLIN)


def offer(offer_id: int, title: str, summary: str, **fields: Any) -> OfferDocument:
    """An offer with plain defaults; tests override what they look at."""
    defaults: dict[str, Any] = {
        "description": "",
        "partner": "experimenta",
        "partner_name": "experimenta gGmbH",
        "stages": ("primary",),
        "subjects": ("natural-sciences",),
        "formats": ("workshop",),
        "audiences": ("participants",),
        "mode": "on-site",
        "district": "heilbronn-city",
        "municipality": "Heilbronn",
        "keywords": "",
        "age_min": 6,
        "age_max": 10,
        "free": True,
        "days": (),
        "bookable_any_time": False,
        "next_start": None,
        "published_at": at(2025, 1, 1) + datetime.timedelta(days=offer_id),
    }
    defaults.update(fields)
    return OfferDocument(id=offer_id, title=title, summary=summary, **defaults)


def _dated(*days: datetime.date) -> dict[str, Any]:
    return {"days": days, "next_start": at(days[0].year, days[0].month, days[0].day)}


D = datetime.date

OFFERS = (
    offer(
        1,
        "Roboter bauen mit Lego",
        "Kinder bauen und programmieren ihre ersten Roboter.",
        description="In den Herbstferien entsteht in zwei Tagen ein fahrender Roboter.",
        subjects=("robotics", "computer-science"),
        age_min=8,
        age_max=12,
        **_dated(D(2026, 10, 26), D(2026, 10, 27)),
    ),
    offer(
        2,
        "Chemie-Experimente im Schülerlabor",
        "Spannende Experimente für Schülerinnen und Schüler der Klasse 8.",
        stages=("lower-secondary",),
        subjects=("chemistry", "natural-sciences"),
        formats=("lab-visit",),
        audiences=("school-classes",),
        age_min=13,
        age_max=15,
        free=False,
        bookable_any_time=True,
    ),
    offer(
        3,
        "Mädchen in MINT",
        "Ein Schnuppertag nur für Mädchen: Physik und Technik ausprobieren.",
        partner="hhn",
        partner_name="Hochschule Heilbronn",
        stages=("lower-secondary",),
        subjects=("physics", "natural-sciences", "technology"),
        formats=("event",),
        district="heilbronn-county",
        municipality="Neckarsulm",
        age_min=10,
        age_max=14,
        **_dated(D(2026, 11, 14)),
    ),
    offer(
        4,
        "Fortbildung Informatik für Lehrer*innen",
        "Lehrkräfte lernen, wie sie Programmieren im Unterricht einsetzen.",
        partner="ssa",
        partner_name="Staatliches Schulamt Heilbronn",
        stages=("professionals",),
        subjects=("programming", "computer-science"),
        formats=("teacher-training",),
        audiences=("educators",),
        mode="hybrid",
        district="online",
        municipality="",
        age_min=18,
        age_max=99,
        free=False,
        **_dated(D(2026, 9, 15)),
    ),
    offer(
        5,
        "Sternwarte: Astronomie für Familien",
        "Mit Teleskopen den Nachthimmel über Eppingen beobachten.",
        stages=("primary", "lower-secondary"),
        subjects=("astronomy", "natural-sciences"),
        formats=("excursion",),
        audiences=("families",),
        district="heilbronn-county",
        municipality="Eppingen",
        age_min=6,
        age_max=99,
        **_dated(D(2026, 12, 12)),
    ),
    offer(
        6,
        "Coding-AG",
        "Wöchentliche AG: Programmieren mit Scratch und Python.",
        stages=("lower-secondary",),
        subjects=("programming", "computer-science"),
        formats=("club",),
        age_min=10,
        age_max=16,
        **_dated(D(2026, 9, 16), D(2026, 9, 23), D(2026, 9, 30)),
    ),
    offer(
        7,
        "Studium schnuppern: Maschinenbau",
        "Studieninteressierte erleben einen Tag an der Hochschule.",
        partner="hhn",
        partner_name="Hochschule Heilbronn",
        stages=("upper-secondary", "higher-education"),
        subjects=("engineering", "technology"),
        formats=("study-orientation",),
        age_min=16,
        age_max=25,
        **_dated(D(2026, 11, 20)),
    ),
    offer(
        8,
        "Praktikum in der Elektronikwerkstatt",
        "Ein zweiwöchiges Praktikum für Ausbildungsinteressierte.",
        partner="ihk",
        partner_name="IHK Heilbronn-Franken",
        stages=("vocational",),
        subjects=("electronics", "technology"),
        formats=("internship",),
        district="heilbronn-county",
        municipality="Bad Rappenau",
        age_min=15,
        age_max=20,
        free=False,
        bookable_any_time=True,
    ),
    offer(
        9,
        "Kita-Forscher: Wasser entdecken",
        "Erzieherinnen und Erzieher experimentieren mit Kindern ab 3 Jahren.",
        stages=("early-childhood",),
        subjects=("physics", "natural-sciences"),
        audiences=("educators",),
        age_min=3,
        age_max=6,
        **_dated(D(2026, 10, 1)),
    ),
    offer(
        10,
        "Online-Kurs Künstliche Intelligenz",
        "KI verstehen: ein Kurs für Jugendliche.",
        stages=("upper-secondary",),
        subjects=("ai", "computer-science"),
        formats=("course",),
        mode="online",
        district="online",
        municipality="",
        age_min=15,
        age_max=19,
        bookable_any_time=True,
    ),
    offer(
        11,
        "Mathe-Wettbewerb Känguru",
        "Der Mathematikwettbewerb für alle Klassenstufen.",
        partner="ssa",
        partner_name="Staatliches Schulamt Heilbronn",
        stages=("primary", "lower-secondary"),
        subjects=("mathematics",),
        formats=("competition",),
        audiences=("school-classes",),
        district="elsewhere",
        municipality="Stuttgart",
        age_min=8,
        age_max=18,
        free=False,
        **_dated(D(2027, 3, 18)),
    ),
    offer(
        12,
        "Umwelt-Exkursion an den Neckar",
        "Wir untersuchen die Wasserqualität des Neckars.",
        stages=("lower-secondary",),
        subjects=("environment", "biology", "natural-sciences"),
        formats=("excursion",),
        audiences=("school-classes",),
        district="heilbronn-county",
        municipality="Lauffen",
        age_min=10,
        age_max=13,
        **_dated(D(2026, 10, 26)),
    ),
    offer(
        13,
        "Ausstellung: Spinnen und Insekten",
        "Lebende Spinnen, Linien im Sand und andere Wunder der Natur.",
        stages=("primary",),
        subjects=("biology", "natural-sciences"),
        formats=("exhibition",),
        audiences=("families",),
        age_min=5,
        age_max=12,
        free=False,
        bookable_any_time=True,
    ),
    offer(
        14,
        "Mentoring für Studentinnen",
        "Studentinnen der Informatik treffen Ingenieurinnen aus der Praxis.",
        partner="hhn",
        partner_name="Hochschule Heilbronn",
        stages=("higher-education",),
        subjects=("computer-science",),
        formats=("mentoring",),
        mode="hybrid",
        age_min=18,
        age_max=30,
        **_dated(D(2026, 10, 5)),
    ),
    offer(
        15,
        "Physik-Show",
        "<script>alert('x')</script> Experimente mit Strom & Spannung.",
        description=(
            "Eine Stunde lang zeigen wir, was Strom alles kann. "
            + "Es blitzt, es knallt und es leuchtet. " * 12
            + "Zum Schluss baut jedes Kind einen eigenen Stromkreis mit einer Batterie."
        ),
        subjects=("physics", "natural-sciences"),
        formats=("event",),
        audiences=("families",),
        age_min=6,
        age_max=10,
        keywords="Elektrizität",
        **_dated(D(2026, 12, 5)),
    ),
)


@pytest.fixture
def offers() -> tuple[OfferDocument, ...]:
    """The offers the `index` fixture holds."""
    return OFFERS


@pytest.fixture
def make_offer() -> Callable[..., OfferDocument]:
    """`make_offer(id, title, summary, **fields)`: an offer with plain defaults."""
    return offer


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OFFERS indexed once per session; `index` hands each test its own copy."""
    path = tmp_path_factory.mktemp("built") / "index"
    with SearchIndex(path) as search_index:
        search_index.rebuild(OFFERS, BUILT_THROUGH_SEQ)
    return path


@pytest.fixture
def index(built_index: Path, index_path: Path) -> Iterator[SearchIndex]:
    """A SearchIndex over OFFERS, built through change-log sequence BUILT_THROUGH_SEQ."""
    # symlinks=True copies `current` as the relative link it is.
    shutil.copytree(built_index, index_path, symlinks=True)
    search_index = SearchIndex(index_path, lock_timeout=0.5)
    yield search_index
    search_index.close()


@pytest.fixture
def make_index(tmp_path: Path) -> Iterator[Callable[..., SearchIndex]]:
    """`make_index(offers, synonyms=None)`: a new index of `offers` with that language data."""
    opened: list[SearchIndex] = []

    def build(offers: tuple[OfferDocument, ...], synonyms: Any = None) -> SearchIndex:
        search_index = SearchIndex(tmp_path / f"index-{len(opened)}", synonyms=synonyms)
        search_index.rebuild(offers, BUILT_THROUGH_SEQ)
        opened.append(search_index)
        return search_index

    yield build
    for search_index in opened:
        search_index.close()


@pytest.fixture
def search(index: SearchIndex) -> Callable[..., SearchResult]:
    """`search(**request_fields)`: one search, with every result on one page by default."""

    def run(**fields: Any) -> SearchResult:
        fields.setdefault("limit", 100)
        return index.search(SearchRequest(**fields))

    return run


@pytest.fixture
def found(search: Callable[..., SearchResult]) -> Callable[..., set[int]]:
    """`found(**request_fields)`: the set of offer ids a search returns."""

    def run(**fields: Any) -> set[int]:
        return set(search(**fields).ids)

    return run


@pytest.fixture
def ids_where() -> Callable[[Callable[[OfferDocument], bool]], set[int]]:
    """`ids_where(predicate)`: the ids of the offers for which `predicate` holds."""

    def run(predicate: Callable[[OfferDocument], bool]) -> set[int]:
        return {document.id for document in OFFERS if predicate(document)}

    return run
