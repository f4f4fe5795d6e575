"""The translation catalogues cover every UI string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "catalogue" / "translations"


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _is_translated(catalogue: Catalog, msgid: str) -> bool:
    found = catalogue.get(msgid)
    if found is None or found.fuzzy:
        return False
    strings = found.string if isinstance(found.string, tuple) else (found.string,)
    return all(strings)


@pytest.mark.parametrize("language", ["en"])
def test_every_extracted_string_is_translated(language: str) -> None:
    template = _catalogue(TRANSLATIONS / "messages.pot")
    translated = _catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    missing = [m.id for m in template if m.id and not _is_translated(translated, m.id)]
    assert len(template) > 50
    assert missing == []


def test_every_string_in_the_code_and_templates_is_in_the_catalogue(tmp_path: Path) -> None:
    # Extracted afresh, as `make extract-messages` does: a string added to a template or view
    # without updating the catalogues fails here, not on an English page.
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "--no-wrap",
         "-k", "lazy_gettext", "-k", "_l", "-F", "babel.cfg", "-o", str(extracted), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    translated = _catalogue(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    fresh = [message.id for message in _catalogue(extracted) if message.id]
    assert len(fresh) > 50
    assert [msgid for msgid in fresh if not _is_translated(translated, msgid)] == []
