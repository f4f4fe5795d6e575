"""WTForms forms, one module per audience, and the filter their text fields share."""

from __future__ import annotations

from typing import Any

from catalogue.offer_records import CONTROL_CHARACTERS


def strip_typed_text(value: Any) -> Any:
    """Typed text without surrounding space; a control character (Word's line break is one, NUL
    would break PostgreSQL) becomes a space."""
    return CONTROL_CHARACTERS.sub(" ", value).strip() if isinstance(value, str) else value
