"""The translation catalogues cover every UI string."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "catalogue" / "translations"


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", ["en"])
def test_every_extracted_string_is_translated(language: str) -> None:
    template = _catalogue(TRANSLATIONS / "messages.pot")
    translated = _catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    missing = []
    for message in template:
        if not message.id:
            continue
        found = translated.get(message.id)
        strings = found.string if found else None
        values = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(values):
            missing.append(message.id)
    assert len(template) > 50
    assert missing == []
