"""The German analyzer: the same terms for every spelling a user may type."""

import pytest

from search_index.analysis import (
    GERMAN_ANALYZER,
    SPELLING_ANALYZER,
    SURFACE_ANALYZER,
    analyze,
    neutral_form,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # Gender markers and the Binnen-I.
        ("Schüler*innen", "Schüler"),
        ("Schüler*in", "Schüler"),
        ("Schüler:innen", "Schüler"),
        ("Schüler_innen", "Schüler"),
        ("Schüler/innen", "Schüler"),
        ("Schüler/-innen", "Schüler"),
        ("Schüler·innen", "Schüler"),
        ("Lehrer(innen)", "Lehrer"),
        ("Schüler*Innen", "Schüler"),
        ("SchülerInnen", "Schüler"),
        ("LehrerIn", "Lehrer"),
        ("Kolleg*innen", "Kolleg"),
        # Unmarked feminine forms after the endings of person nouns.
        ("Schülerinnen", "Schüler"),
        ("Lehrerin", "Lehrer"),
        ("Studentinnen", "Student"),
        ("Praktikantin", "Praktikant"),
        ("Doktorandin", "Doktorand"),
        ("Journalistin", "Journalist"),
        ("Biologinnen", "Biolog"),
        ("Ingenieurinnen", "Ingenieur"),
        ("Autorin", "Autor"),
        ("Sekretärin", "Sekretär"),
        # Words that only end like a feminine form stay as they are.
        ("Spinnen", "Spinnen"),
        ("innen", "innen"),
        ("Innen", "Innen"),
        ("Linien", "Linien"),
        ("Termin", "Termin"),
        ("Vitamin", "Vitamin"),
        ("Medizin", "Medizin"),
        ("Disziplin", "Disziplin"),
        ("Protein", "Protein"),
        ("Platin", "Platin"),
        ("Nikotin", "Nikotin"),
        ("Login", "Login"),
        ("Berlin", "Berlin"),
        ("BERLIN", "BERLIN"),
        ("Gewinnen", "Gewinnen"),
        ("Beginnen", "Beginnen"),
        ("Maschinen", "Maschinen"),
        ("Chemie", "Chemie"),
    ],
)
def test_gendered_forms_are_reduced_to_the_base_noun(word: str, expected: str) -> None:
    assert neutral_form(word) == expected


@pytest.mark.parametrize(
    "spellings",
    [
        ("Mädchen", "Maedchen", "Madchen", "MÄDCHEN", "mädchen"),
        ("Übung", "Uebung", "Ubung"),
        ("Öffnungszeiten", "Oeffnungszeiten", "Offnungszeiten"),
        ("Straße", "Strasse", "STRASSE"),
        ("Schüler", "Schueler", "Schuler", "Schüler*innen", "Schüler:innen", "SchülerInnen"),
        ("Schülerinnen", "Schuelerinnen", "Schüler_innen", "Schüler/-innen", "Schüler·innen"),
        ("Lehrer", "Lehrerin", "Lehrerinnen", "Lehrer*innen", "LehrerInnen", "Lehrern"),
        ("Experiment", "Experimente", "Experimenten", "Experiments"),
        ("Student", "Studenten", "Studentin", "Studentinnen"),
        # Diphthongs are not umlaut spellings: their inflected forms still meet.
        ("Frau", "Frauen"),
        ("neue", "neuen", "neu"),
        ("Abenteuer", "Abenteuern"),
    ],
)
def test_spellings_of_one_word_analyze_to_the_same_term(spellings: tuple[str, ...]) -> None:
    terms = {tuple(analyze(GERMAN_ANALYZER, spelling)) for spelling in spellings}
    assert len(terms) == 1
    assert len(terms.pop()) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Spinnen", "Schülerinnen"),
        ("Linien", "Lehrerin"),
        ("innen", "in"),
        ("Experiment", "Expedition"),
        ("Chemie", "Physik"),
    ],
)
def test_different_words_stay_apart(first: str, second: str) -> None:
    assert analyze(GERMAN_ANALYZER, first) != analyze(GERMAN_ANALYZER, second)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experimente für Mädchen", ["experiment", "madch"]),
        ("Experimente fuer Maedchen", ["experiment", "madch"]),
        ("Chemie/Physik", ["chemi", "physik"]),
        ("Roboter, Sensoren & Motoren!", ["robot", "sensor", "motor"]),
        ("und oder aber", []),
        ("", []),
        ("*", []),
    ],
)
def test_text_is_split_stopped_and_stemmed(text: str, expected: list[str]) -> None:
    assert analyze(GERMAN_ANALYZER, text) == expected


def test_spelling_field_keeps_whole_folded_words() -> None:
    assert analyze(SPELLING_ANALYZER, "Experimente für Schüler*innen") == [
        "experimente",
        "schuler",
    ]


def test_surface_field_keeps_umlauts() -> None:
    assert analyze(SURFACE_ANALYZER, "Experimente für Schüler*innen") == [
        "experimente",
        "schüler",
    ]


def test_token_offsets_cover_the_whole_gendered_word() -> None:
    text = "Für Schüler*innen"
    tokens = [(t.text, text[t.startchar : t.endchar]) for t in GERMAN_ANALYZER(text, chars=True)]
    assert tokens == [("schul", "Schüler*innen")]


def test_stop_words_can_be_kept_and_marked_for_the_highlighter() -> None:
    tokens = [(t.text, t.stopped) for t in GERMAN_ANALYZER("für Mädchen", removestops=False)]
    assert tokens == [("für", True), ("madch", False)]
