"""The German analyzer: the same terms for every spelling a user may type."""

import pytest

from search_index.analysis import (
    GERMAN_ANALYZER,
    PART_WEIGHT,
    SPELLING_ANALYZER,
    SURFACE_ANALYZER,
    Analyzers,
    Decompounder,
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
        # Snowball alone makes these one stem: the pupils are not the school, the teacher is
        # not the apprenticeship.
        ("Schüler", "Schule"),
        ("Schülern", "Schulen"),
        ("Grundschüler", "Grundschule"),
        ("Lehrer", "Lehre"),
        ("Lehrern", "Lehren"),
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
    assert tokens == [("schuler", "Schüler*innen")]


def test_stop_words_can_be_kept_and_marked_for_the_highlighter() -> None:
    tokens = [(t.text, t.stopped) for t in GERMAN_ANALYZER("für Mädchen", removestops=False)]
    assert tokens == [("für", True), ("madch", False)]


PARTS = Decompounder([
    "Roboter", "Kurs", "Labor", "Chemie", "Forschung", "Ferien", "Programm", "Ferienprogramm",
    "Stern", "Mathe", "Mathematik", "Elektro", "Elektronik", "Schule", "Unterricht", "Uni", "Bio",
    "Kinder", "Technik", "Energie", "Zukunft", "Wissen", "Wissenschaft",
])  # fmt: skip


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("roboterkurs", ("roboter", "kurs")),
        ("chemielabor", ("chemie", "labor")),
        # The last part keeps its inflection, so it stems like the same word on its own.
        ("roboterkurse", ("roboter", "kurse")),
        # Linking elements: -s-, -n-, -en-, and a first part that drops its -e.
        ("forschungslabor", ("forschung", "labor")),
        ("schulenunterricht", ("schule", "unterricht")),
        ("sternenhimmel", ("stern", "himmel")),
        ("schulunterricht", ("schule", "unterricht")),
        # After a consonant an "s" is a link where the rest cannot start with it ...
        ("unterrichtsbeispiele", ("unterricht", "beispiele")),
        ("zukunftsideen", ("zukunft", "ideen")),
        # ... and no link before a common onset "sch", "st", "sp".
        ("laborstunden", ("labor", "stunden")),
        ("technikschule", ("technik", "schule")),
        # One unknown part of 4+ letters beside a known one of 4+ letters.
        ("bienenroboter", ("bienen", "roboter")),
        ("energieverbrauch", ("energie", "verbrauch")),
        ("kinderuni", ("kinder", "uni")),
        ("biolabor", ("bio", "labor")),
        # Three parts.
        ("kinderforschungslabor", ("kinder", "forschung", "labor")),
        # A known word splits only into known parts; `parts` adds the parts of known parts.
        ("ferienprogramm", ("ferien", "programm")),
        ("sommerferienprogramm", ("sommer", "ferienprogramm")),
    ],
)
def test_compounds_split_where_a_part_is_known(word: str, parts: tuple[str, ...]) -> None:
    assert PARTS.split(word) == parts


def test_the_index_gets_the_parts_of_known_parts_too() -> None:
    assert PARTS.parts("sommerferienprogramm") == ("sommer", "ferienprogramm", "ferien", "programm")


@pytest.mark.parametrize(
    "word",
    [
        "roboter",
        "labor",
        # A known word with an unknown rest: "Mathe" is known, but so is "Mathematik".
        "mathematik",
        # Derivations, not compounds.
        "laborant",
        "elektroniker",
        "programmierung",
        "chemischer",
        # Wissenschaft + ler, not Wissen + schaftler.
        "wissenschaftler",
        # An unknown rest must have 4+ letters and look like a word.
        "meistern",
        "labortag",
        "roboterinnen",
        # A short known part needs a known partner.
        "universum",
        "biografie",
        # Neither part is known.
        "haustier",
    ],
)
def test_words_that_are_no_compounds_stay_whole(word: str) -> None:
    assert PARTS.split(word) == ()


def test_parts_follow_the_compound_at_its_position_with_less_weight() -> None:
    analyzers = Analyzers.build(["Chemie", "Labor"])
    text = "Im Chemielabor experimentieren"
    tokens = [
        (t.text, t.pos, t.boost, text[t.startchar : t.endchar])
        for t in analyzers.text(text, positions=True, chars=True, boosts=True)
    ]
    assert tokens == [
        ("chemielabor", 1, 1.0, "Chemielabor"),
        ("chemi", 1, PART_WEIGHT, "Chemielabor"),
        ("labor", 1, PART_WEIGHT, "Chemielabor"),
        ("experimenti", 2, 1.0, "experimentieren"),
    ]
    assert analyze(analyzers.spelling, text) == [
        "chemielabor",
        "chemie",
        "labor",
        "experimentieren",
    ]


def test_without_compound_parts_nothing_is_split() -> None:
    assert analyze(Analyzers.build().text, "Chemielabor") == ["chemielabor"]
