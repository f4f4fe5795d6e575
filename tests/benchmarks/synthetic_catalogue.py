"""A deterministic synthetic catalogue for benchmarks: offers as JSON Lines in the import shape.

    python tests/benchmarks/synthetic_catalogue.py 10000 out.jsonl [--seed 2026]

Each line is one offer shaped like seeds/demo-offers.jsonl (the shape of `/api/v1/offers/<slug>`
plus `partner` and `status`), ready for `flask --app wsgi offers import`. Partners come from
seeds/partners.json, stages, subjects, formats, audiences, modes, districts and municipalities from
seeds/vocabulary.json, and every value of every facet occurs. The spreads imitate a real catalogue:
ages within the stages' bands, mostly on-site offers in Stadt and Landkreis Heilbronn, about 30 %
free, half with dated sessions, a fifth recurring, the rest on request, nine in ten published.

Texts are German, built from sentence templates over a MINT vocabulary plus a long tail of rarer
compound words drawn with Zipf-like frequencies, so that 100,000 offers carry tens of thousands of
distinct words, as real text would. The same seed gives a byte-identical file: one
`random.Random(seed)` drives every choice and nothing depends on the clock. Every offer is marked
`demo`, so that an accidental import into a real catalogue shows up as sample data. Coordinates and
postal codes are approximate, for the few places listed below.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
BERLIN = ZoneInfo("Europe/Berlin")
FIRST_DAY, LAST_DAY = dt.date(2026, 12, 1), dt.date(2027, 12, 31)


@dataclass(frozen=True)
class Theme:
    """What an offer of one subject talks about."""

    topics: tuple[tuple[str, str], ...]  # (as in "Löt-Werkstatt", on its own: "Löten")
    activities: tuple[str, ...]  # infinitive phrases: "Roboter bauen und programmieren"
    things: tuple[str, ...]  # nouns: "Sensoren", "Mikroskope"


THEMES: dict[str, Theme] = {
    "mathematics": Theme(
        (("Mathe", "Mathe"), ("Mathematik", "Mathematik"), ("Geometrie", "Geometrie"),
         ("Knobel", "Knobeln"), ("Statistik", "Statistik"), ("Zahlen", "Zahlen")),
        ("knifflige Rätsel lösen", "Muster in der Natur entdecken",
         "mit Würfeln Wahrscheinlichkeiten ausprobieren", "geometrische Körper falten",
         "Zahlenrätsel knacken", "eigene Umfragen auswerten", "Strategiespiele durchschauen",
         "Primzahlen jagen", "Parkettierungen legen", "Fibonacci-Zahlen in Blüten finden"),
        ("Würfel", "Zirkel", "Geodreieck", "Tangram", "Diagramme", "Primzahlen", "Brüche",
         "Symmetrien", "Polyeder", "Logikrätsel", "Kombinatorik", "Wahrscheinlichkeiten"),
    ),
    "computer-science": Theme(
        (("Informatik", "Informatik"), ("Computer", "Computer"), ("Digital", "Digitales")),
        ("verstehen, wie ein Computer denkt", "Daten verschlüsseln und entschlüsseln",
         "Algorithmen ohne Computer ausprobieren", "ein eigenes Netzwerk aufbauen",
         "Binärzahlen entdecken"),
        ("Algorithmen", "Binärzahlen", "Netzwerke", "Datenbanken", "Verschlüsselung", "Rechner",
         "Prozessoren"),
    ),
    "programming": Theme(
        (("Programmier", "Programmieren"), ("Coding", "Coding"), ("Scratch", "Scratch"),
         ("Python", "Python"), ("App", "App-Entwicklung")),
        ("eigene Spiele programmieren", "eine App entwickeln", "mit Scratch Geschichten erzählen",
         "erste Programme in Python schreiben", "eine Website bauen",
         "einen Calliope mini programmieren", "Fehler im Code finden und beheben"),
        ("Schleifen", "Variablen", "Scratch", "Python", "Apps", "Code", "Calliope mini",
         "Mikrocontroller", "Spiele", "Webseiten"),
    ),
    "robotics": Theme(
        (("Robotik", "Robotik"), ("Roboter", "Roboter"), ("Drohnen", "Drohnen"),
         ("LEGO-Robotik", "LEGO-Robotik")),
        ("Roboter bauen und programmieren", "einen Roboter durch einen Parcours steuern",
         "Greifarme konstruieren", "Drohnen fliegen lassen", "Sensoren am Roboter testen",
         "einen Linienfolger bauen"),
        ("Roboter", "Sensoren", "Motoren", "Greifarme", "Drohnen", "Bee-Bots", "LEGO-Modelle",
         "Servomotoren", "Parcours"),
    ),
    "ai": Theme(
        (("KI", "Künstliche Intelligenz"), ("Daten", "Datenanalyse"), ("Chatbot", "Chatbots")),
        ("verstehen, wie Künstliche Intelligenz lernt", "einen Chatbot trainieren",
         "Bilder von einer KI erkennen lassen", "Daten sammeln und auswerten",
         "über Chancen und Risiken von KI diskutieren"),
        ("Chatbots", "Trainingsdaten", "neuronale Netze", "Bilderkennung", "Sprachmodelle",
         "Algorithmen", "Datensätze"),
    ),
    "media": Theme(
        (("Medien", "Medienbildung"), ("Trickfilm", "Trickfilm"), ("Podcast", "Podcasts"),
         ("Video", "Video")),
        ("einen Trickfilm drehen", "einen Podcast aufnehmen", "Fake News entlarven",
         "Erklärvideos produzieren", "Fotos digital bearbeiten"),
        ("Tablets", "Trickfilme", "Podcasts", "Mikrofone", "Erklärvideos", "Greenscreen",
         "Schnittprogramme"),
    ),
    "natural-sciences": Theme(
        (("Forscher", "Naturwissenschaften"), ("Experimentier", "Experimentieren"),
         ("Entdecker", "Naturphänomene")),
        ("Experimente selbst durchführen", "Phänomene des Alltags erforschen",
         "Hypothesen aufstellen und prüfen", "wie Forscherinnen und Forscher arbeiten",
         "Beobachtungen protokollieren"),
        ("Experimente", "Versuche", "Phänomene", "Messungen", "Forscherfragen", "Labore"),
    ),
    "biology": Theme(
        (("Biologie", "Biologie"), ("Natur", "Natur"), ("Mikroskop", "Mikroskopieren"),
         ("Bienen", "Bienen"), ("Wald", "Waldökologie")),
        ("Zellen unter dem Mikroskop betrachten", "Pflanzen bestimmen", "Insekten beobachten",
         "den eigenen Herzschlag messen", "DNA aus Tomaten isolieren",
         "das Leben im Bach untersuchen"),
        ("Mikroskope", "Zellen", "Pflanzen", "Insekten", "Bienen", "Wildbienen", "DNA", "Blätter",
         "Pilze", "Amphibien", "Fledermäuse", "Streuobstwiesen"),
    ),
    "chemistry": Theme(
        (("Chemie", "Chemie"), ("Labor", "Laborarbeit"), ("Farben", "Farbenchemie"),
         ("Kristall", "Kristalle")),
        ("Säuren und Laugen unterscheiden", "Kristalle züchten", "Farbstoffe herstellen",
         "Seife sieden", "chemische Reaktionen beobachten", "Brausepulver untersuchen",
         "Wasserproben analysieren"),
        ("Säuren", "Laugen", "Kristalle", "Indikatoren", "Reagenzgläser", "Farbstoffe", "Moleküle",
         "Salze", "Bunsenbrenner", "Kunststoffe"),
    ),
    "physics": Theme(
        (("Physik", "Physik"), ("Strom", "Elektrizität"), ("Licht", "Licht und Farben"),
         ("Magnet", "Magnetismus"), ("Optik", "Optik")),
        ("Stromkreise bauen", "Magnetfelder sichtbar machen", "Licht in Farben zerlegen",
         "den Schall messen", "schwimmende Boote konstruieren", "Brücken belasten",
         "Wärme mit einer Kamera sichtbar machen"),
        ("Magnete", "Stromkreise", "Linsen", "Spiegel", "Prismen", "Energie", "Schwingungen",
         "Wärmebildkameras", "Pendel", "Hebel"),
    ),
    "astronomy": Theme(
        (("Sternen", "Sterne"), ("Astronomie", "Astronomie"), ("Planeten", "Planeten"),
         ("Weltraum", "Raumfahrt")),
        ("Sterne und Planeten beobachten", "eine Sternkarte lesen", "Raketen starten lassen",
         "den Mond durchs Teleskop betrachten", "das Sonnensystem im Modell nachbauen"),
        ("Sterne", "Planeten", "Teleskope", "Sternbilder", "Raketen", "Galaxien", "Kometen",
         "Sonnenflecken", "Mondkrater"),
    ),
    "environment": Theme(
        (("Klima", "Klimaschutz"), ("Umwelt", "Umweltschutz"),
         ("Nachhaltigkeits", "Nachhaltigkeit"), ("Energie", "Energiewende"), ("Wasser", "Wasser")),
        ("den eigenen CO₂-Fußabdruck berechnen", "Solarzellen testen",
         "Wasserqualität im Neckar messen", "Müll vermeiden und Dinge reparieren",
         "ein Windrad bauen", "Wetterdaten sammeln"),
        ("Solarzellen", "Windräder", "Klimadaten", "Nachhaltigkeit", "Recycling", "Wasserproben",
         "Wetterstationen", "Biodiversität", "Energiesparen"),
    ),
    "technology": Theme(
        (("Technik", "Technik"), ("Tüftel", "Tüfteln"), ("Erfinder", "Erfindungen"),
         ("Maker", "Making")),
        ("eigene Erfindungen bauen", "Maschinen auseinandernehmen", "Technik im Alltag verstehen",
         "Prototypen entwickeln"),
        ("Maschinen", "Werkzeuge", "Prototypen", "Erfindungen", "Zahnräder", "Getriebe"),
    ),
    "engineering": Theme(
        (("Ingenieur", "Ingenieurwesen"), ("Konstruktions", "Konstruieren"),
         ("Brückenbau", "Brückenbau"), ("Fahrzeug", "Fahrzeugtechnik")),
        ("Brücken konstruieren und testen", "ein Solarauto bauen", "Getriebe verstehen",
         "ein Modellhaus planen", "Kräfte messen"),
        ("Brücken", "Fahrzeuge", "Solarautos", "Getriebe", "Modelle", "Statik", "CAD"),
    ),
    "electronics": Theme(
        (("Elektronik", "Elektronik"), ("Löt", "Löten"), ("Schaltungs", "Schaltungen"),
         ("Platinen", "Platinenbau")),
        ("eine LED-Schaltung löten", "Sensoren auslesen", "eine blinkende Karte bauen",
         "einen Verstärker aufbauen", "mit Arduino messen und steuern"),
        ("LEDs", "Widerstände", "Platinen", "Lötkolben", "Arduino", "Transistoren", "Schaltpläne",
         "Batterien"),
    ),
    "crafts": Theme(
        (("Werk", "Werken"), ("Handwerks", "Handwerk"), ("3D-Druck", "3D-Druck"),
         ("Holz", "Holzbearbeitung")),
        ("mit Holz und Metall arbeiten", "ein Vogelhaus bauen", "im 3D-Druck Teile herstellen",
         "mit dem Lasercutter gestalten", "einen Schlüsselanhänger feilen"),
        ("3D-Drucker", "Lasercutter", "Holz", "Metall", "Werkbänke", "Feilen", "Sägen",
         "Werkstücke"),
    ),
}  # fmt: skip

# Formats by what the partner's cluster mostly offers; any format stays possible everywhere.
CLUSTER_FORMATS = {
    "science-research": ("workshop", "course", "lab-visit", "study-orientation", "event"),
    "labour-market": ("internship", "mentoring", "event", "study-orientation", "workshop"),
    "schools-learning-places": ("workshop", "club", "holiday-programme", "lab-visit",
                                "teacher-training", "excursion"),
}  # fmt: skip

TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "workshop": ("{Topic}-Werkstatt: {Act}", "Workshop {Noun}: {Act}",
                 "{Noun} zum Anfassen: {Act}", "Mitmach-Workshop: {Act}"),
    "course": ("{Topic}-Kurs: {Act}", "Kurs für Einsteiger: {Act}",
               "{Noun} Schritt für Schritt: {Act}"),
    "club": ("{Topic}-AG: {Act}", "{Topic}-Club in {place}", "Offener Treff: {Act}"),
    "holiday-programme": ("Ferienprogramm in den {Holiday}ferien: {Act}",
                          "{Holiday}ferien-Camp: {Act}",
                          "Ferienwerkstatt {Noun}: {Act}"),
    "competition": ("{Topic}-Wettbewerb {year}: {Act}", "{Topic}-Challenge für Teams",
                    "Wettbewerb: {Act}"),
    "lab-visit": ("Schülerlabor {Noun}: {Act}", "Labortag {Noun} für Klassen",
                  "Im Labor: {Act}"),
    "excursion": ("Exkursion: {Act}", "{Topic}-Exkursion in {place}", "Unterwegs: {Act}"),
    "exhibition": ("Ausstellung „{Thing}“ in {place}", "Mitmach-Ausstellung {Noun}",
                   "Wanderausstellung: {Act}"),
    "event": ("{Topic}-Tag in {place}", "{Topic}-Abend: {Act}", "Aktionstag: {Act}"),
    "internship": ("Praktikum {Noun}: {Act}", "Schnupperpraktikum in {place}",
                   "Ferienpraktikum: {Act}"),
    "study-orientation": ("Schnupperstudium {Noun}", "Studieninfotag: {Act}",
                          "Probevorlesung {Noun}: {Act}"),
    "teacher-training": ("Fortbildung für Lehrkräfte: {Act}", "Lehrkräftefortbildung {Noun}",
                         "Fortbildung für pädagogische Fachkräfte: {Act}"),
    "mentoring": ("Mentoring {Noun}: {Act}", "Sprechstunde: {Act}", "Role-Model-Talk {Noun}"),
    "online-resource": ("Online-Material {Noun}: {Act}", "Lernvideos: {Act}",
                        "Digitale Lernbox {Noun}"),
}  # fmt: skip

HOLIDAYS = (  # Baden-Württemberg school holidays, approximately
    ("Weihnachts", dt.date(2026, 12, 23), dt.date(2027, 1, 9)),
    ("Oster", dt.date(2027, 3, 29), dt.date(2027, 4, 9)),
    ("Pfingst", dt.date(2027, 5, 18), dt.date(2027, 5, 29)),
    ("Sommer", dt.date(2027, 7, 29), dt.date(2027, 9, 11)),
    ("Herbst", dt.date(2027, 10, 25), dt.date(2027, 11, 6)),
    ("Weihnachts", dt.date(2027, 12, 22), dt.date(2027, 12, 31)),
)

STAGE_PEOPLE = {
    "early-childhood": ("Kita-Kinder", "Kinder im Vorschulalter", "Kita-Gruppen"),
    "primary": ("Grundschulkinder", "Kinder der Klassen 1 bis 4", "Schülerinnen und Schüler"),
    "lower-secondary": ("Jugendliche", "Schülerinnen und Schüler der Klassen 5 bis 10",
                        "Schüler*innen"),
    "upper-secondary": ("Oberstufenschülerinnen und -schüler", "Jugendliche der Oberstufe",
                        "Schüler:innen der Oberstufe"),
    "vocational": ("Jugendliche vor der Berufswahl", "Auszubildende", "Schulabgängerinnen und "
                   "Schulabgänger"),
    "higher-education": ("Studieninteressierte", "Studierende", "Abiturientinnen und Abiturienten"),
    "professionals": ("Fachkräfte", "Berufseinsteigerinnen und Berufseinsteiger",
                      "Beschäftigte aus der Region"),
}  # fmt: skip
AUDIENCE_PEOPLE = {
    "educators": ("Lehrkräfte", "pädagogische Fachkräfte", "Erzieherinnen und Erzieher"),
    "families": ("Familien", "Eltern mit ihren Kindern", "Groß und Klein"),
    "school-classes": ("Schulklassen", "Klassen und Kurse", "Lerngruppen"),
}

INTROS = (
    "Was steckt hinter {thing}? Dieser Frage gehen {people} bei uns auf den Grund.",
    "{People} entdecken hier, wie spannend {topic_noun} sein kann.",
    "Neugierig sein, ausprobieren, staunen: Darum geht es, wenn {people} mit uns {activity}.",
    "In diesem Angebot dreht sich alles um {thing} und die Frage, was dahintersteckt.",
    "Schon mal überlegt, was es mit {thing} auf sich hat? Hier finden {people} es heraus.",
    "Unser Team lädt {people} ein, {topic_noun} mit allen Sinnen zu erleben.",
    "Ob Einsteiger oder Profi: Wer Lust auf {topic_noun} hat, ist bei uns richtig.",
)
LIST_HEADINGS = ("**Was euch erwartet:**", "**Auf dem Programm**", "Geplante Inhalte:",
                 "**Inhalte**", "**So läuft es ab:**", "Was Sie erwartet:")  # fmt: skip
BULLETS = (
    "{Activity}",
    "{Thing} ausprobieren und vergleichen",
    "Experimente mit {thing}",
    "gemeinsam {activity}",
    "{Rare} kennenlernen",
    "Zeit für eigene Fragen und Ideen",
    "kleine Präsentation der Ergebnisse",
    "ein Blick hinter die Kulissen: {rare}",
)
BODY = (
    "In kleinen Teams {verb} die Teilnehmenden {thing} und halten ihre Beobachtungen fest.",
    "Dabei geht es auch um {rare} und {rare2}.",
    "Ein Schwerpunkt liegt in diesem Jahr auf dem Thema {rare}.",
    "Erfahrene Fachleute von {partner} begleiten die Gruppe und beantworten Fragen.",
    "Vorkenntnisse sind nicht nötig; alle Materialien werden gestellt.",
    "Wer mag, vertieft sich anschließend in {rare}.",
    "Am Ende nimmt jede und jeder ein eigenes Ergebnis mit nach Hause.",
    "Die Aufgaben lassen sich an unterschiedliche Vorkenntnisse anpassen.",
    "Besonders Mädchen möchten wir ermutigen, sich an {topic_noun} zu wagen.",
    "Zwischendurch gibt es genug Zeit zum Tüfteln, Scheitern und Neu-Anfangen.",
    "Das Angebot verbindet {topic_noun} mit Fragen der Nachhaltigkeit.",
    "Die Ideen stammen aus der Praxis von {partner} und wurden mit Schulen erprobt.",
    "Auch {rare} und {rare2} spielen eine Rolle.",
    "Mit Mikroskop, Messgerät oder Laptop arbeiten alle wie echte Forscherinnen und Forscher.",
    "Für Schulklassen gibt es Material zur Vor- und Nachbereitung im Unterricht.",
    "Wir zeigen, welche Berufe und Studiengänge mit {topic_noun} zu tun haben.",
    "Gearbeitet wird an Stationen, zwischen denen alle frei wechseln können.",
    "Die Ergebnisse dürfen mitgenommen und zu Hause weiterentwickelt werden.",
)  # fmt: skip
VERBS = ("untersuchen", "bauen", "vergleichen", "testen", "erforschen", "vermessen",
         "programmieren", "beobachten", "konstruieren", "dokumentieren")  # fmt: skip
CLOSINGS = (
    "**Ablauf:** {minutes} Minuten mit kurzer Pause; bitte pünktlich da sein.",
    "**Hinweis:** Bitte Kleidung tragen, die schmutzig werden darf.",
    "**Mitbringen:** Neugier, etwas zu trinken und gute Laune.",
    "Die Plätze werden in der Reihenfolge der Anmeldung vergeben.",
    "**Hinweis:** Eigene Laptops sind willkommen, aber nicht nötig.",
    "Fragen vorab beantworten wir gern per E-Mail.",
    "**Ablauf:** Begrüßung, Experimentierphase in Gruppen, gemeinsamer Abschluss.",
)
ON_REQUEST_NOTES = (
    "Termine nach Vereinbarung, Montag bis Freitag",
    "Termine nach Absprache, auch direkt an Ihrer Schule",
    "jederzeit buchbar, bitte mindestens drei Wochen Vorlauf einplanen",
    "auf Anfrage, vormittags während der Unterrichtszeit",
    "ganzjährig buchbar, außer in den Schulferien",
    None,
)
COST_NOTES = ("pro Kind", "pro Person inklusive Material", "für alle Termine",
              "pro Klasse inklusive Material", "Ermäßigung auf Anfrage",
              "pro Person; Begleitpersonen frei", None)  # fmt: skip
ACCESSIBILITY_NOTES = (
    "Barrierefreier Zugang, Aufzug vorhanden.",
    "Die Räume sind ebenerdig erreichbar.",
    "Rollstuhlgerechter Zugang über den Seiteneingang; bitte vorher Bescheid geben.",
    "Leider nicht barrierefrei: Der Raum liegt im ersten Stock ohne Aufzug.",
    "Gebärdensprachdolmetschung auf Anfrage bis zwei Wochen vorher.",
)
VENUE_PATTERNS = ("Stadthalle {m}", "Gemeindebibliothek {m}", "Grundschule {m}", "Rathaus {m}",
                  "Bürgerhaus {m}", "Jugendhaus {m}", "Gemeinschaftsschule {m}",
                  "An Ihrer Schule in {m}", "Volkshochschule, Außenstelle {m}")  # fmt: skip
CITY_VENUES = ("Bildungscampus Heilbronn", "Stadtbibliothek Heilbronn im K3",
               "Volkshochschule Heilbronn", "Kreismedienzentrum Heilbronn",
               "experimenta, Kita-Labor", "Haus der Jugend Heilbronn",
               "Aula auf dem Bildungscampus")  # fmt: skip
STREETS = ("Hauptstraße", "Schulstraße", "Bahnhofstraße", "Marktplatz", "Kirchstraße",
           "Gartenstraße", "Lindenstraße", "Rathausplatz")  # fmt: skip
# Approximate postal code and position of some places; others go without address and position.
PLACES = {
    "Heilbronn": ("74072", 49.1427, 9.2109), "Neckarsulm": ("74172", 49.1919, 9.2250),
    "Eppingen": ("75031", 49.1370, 8.9110), "Bad Rappenau": ("74906", 49.2386, 9.1017),
    "Brackenheim": ("74336", 49.0780, 9.0660), "Weinsberg": ("74189", 49.1517, 9.2856),
    "Lauffen am Neckar": ("74348", 49.0740, 9.1540),
    "Bad Friedrichshall": ("74177", 49.2310, 9.2150), "Möckmühl": ("74219", 49.3230, 9.3590),
    "Schwaigern": ("74193", 49.1440, 9.0530), "Leingarten": ("74211", 49.1500, 9.1150),
    "Gundelsheim": ("74831", 49.2840, 9.1600), "Bad Wimpfen": ("74206", 49.2290, 9.1640),
    "Neuenstadt am Kocher": ("74196", 49.2350, 9.3310), "Ilsfeld": ("74360", 49.0550, 9.2460),
    "Flein": ("74223", 49.1030, 9.2110), "Talheim": ("74388", 49.0860, 9.1920),
    "Abstatt": ("74232", 49.0670, 9.2920), "Beilstein": ("71717", 49.0410, 9.3140),
    "Güglingen": ("74363", 49.0660, 9.0000), "Erlenbach": ("74235", 49.1720, 9.2680),
    "Stuttgart": ("70173", 48.7784, 9.1800), "Mannheim": ("68159", 49.4875, 8.4660),
    "Karlsruhe": ("76133", 49.0069, 8.4037), "Heidelberg": ("69117", 49.4094, 8.6942),
    "Schwäbisch Hall": ("74523", 49.1126, 9.7375), "Mosbach": ("74821", 49.3530, 9.1460),
    "Öhringen": ("74613", 49.2000, 9.5020),
}  # fmt: skip
ELSEWHERE = ("Stuttgart", "Mannheim", "Karlsruhe", "Heidelberg", "Schwäbisch Hall", "Mosbach",
             "Öhringen")  # fmt: skip
MODES = {"on-site": 80, "online": 12, "hybrid": 8}
DISTRICTS = {"heilbronn-city": 50, "heilbronn-county": 42, "elsewhere": 8}  # and online offers
CLOSED_DAYS = {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}
WEEKDAYS = (("MO", "montags"), ("TU", "dienstags"), ("WE", "mittwochs"), ("TH", "donnerstags"),
            ("FR", "freitags"), ("SA", "samstags"))  # fmt: skip
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")  # fmt: skip

# The long tail: compound nouns, as German forms them. Two-part compounds are the more frequent,
# three-part ones the rare end; `_Generator._rare_word` draws them with Zipf-like frequencies.
_MODIFIERS = (
    "Roboter", "Sensor", "Licht", "Wasser", "Strom", "Solar", "Wind", "Klima", "Boden", "Insekten",
    "Pflanzen", "Zell", "Gen", "Molekül", "Kristall", "Magnet", "Motor", "Getriebe", "Brücken",
    "Raketen", "Planeten", "Sternen", "Mond", "Daten", "Code", "Algorithmus", "Netzwerk", "Chip",
    "Platinen", "Löt", "Holz", "Metall", "Kunststoff", "Textil", "Farb", "Klang", "Schall",
    "Wärme", "Energie", "Batterie", "Wasserstoff", "Mikroben", "Pilz", "Bienen", "Vogel",
    "Fledermaus", "Wald", "Fluss", "Neckar", "Wetter", "Wolken", "Vulkan", "Fossilien", "Mineral",
    "Salz", "Zucker", "Säure", "Laugen", "Seifen", "Kompost", "Regenwurm", "Ameisen", "Spinnen",
    "Schmetterlings", "Frosch", "Kaulquappen", "Algen", "Plankton", "Korallen", "Gletscher",
    "Erdbeben", "Gezeiten", "Kometen", "Asteroiden", "Satelliten", "Teleskop", "Linsen",
    "Spiegel", "Prismen", "Laser", "Hologramm", "Pendel", "Hebel", "Flaschenzug", "Zahnrad",
    "Dampf", "Turbinen", "Generator", "Transformator", "Kondensator", "Dioden", "Relais",
    "Schaltkreis", "Steckbrett", "Mikrocontroller", "Drohnen", "Flugzeug", "Segel", "Boots",
    "Brennstoffzellen", "Akku", "Elektroauto", "Fahrrad", "Zug", "Tunnel", "Kran", "Bagger",
    "Beton", "Lehm", "Ziegel", "Glas", "Papier", "Karton", "Origami", "Tangram", "Würfel",
    "Kreis", "Dreiecks", "Pyramiden", "Spiral", "Fraktal", "Primzahl", "Bruch", "Koordinaten",
    "Vektor", "Matrix", "Graphen", "Statistik", "Zufalls", "Muster", "Symmetrie", "Parkett",
    "Knoten", "Labyrinth", "Rätsel", "Logik", "Krypto", "Passwort", "Pixel", "Vektorgrafik",
    "Animations", "Trickfilm", "Podcast", "Hörspiel", "Foto", "Video", "Spiele", "App", "Web",
    "Server", "Cloud", "Sprach", "Bilderkennungs", "Chatbot", "Lern", "Entscheidungsbaum",
    "Mikroskop", "Pipetten", "Reagenzglas", "Indikator", "Chromatografie", "Destillations",
    "Filter", "Kläranlagen", "Trinkwasser", "Grundwasser", "Regen", "Hochwasser", "Streuobst",
    "Weinberg", "Acker", "Saatgut", "Hummel", "Wildbienen", "Honig", "Milch", "Käse", "Hefe",
    "Brot", "Gärungs", "Enzym", "Vitamin", "Herz", "Lungen", "Muskel", "Skelett", "Nerven",
    "Augen", "Ohren", "Tast", "Geruchs", "Geschmacks", "Reaktions", "Gedächtnis", "Schlaf",
)  # fmt: skip
_HEADS = (
    "werkstatt", "labor", "forschung", "experiment", "detektive", "rallye", "modell", "baukasten",
    "station", "projekt", "tag", "woche", "kurs", "club", "akademie", "wettbewerb", "challenge",
    "expedition", "messung", "analyse", "versuch", "parcours", "bausatz", "kiste", "koffer",
    "spiel", "quiz", "karte", "tabelle", "diagramm", "protokoll", "mission", "abenteuer",
    "geheimnis", "rätsel", "lehrpfad", "garten", "beet", "teich", "hotel", "turm", "brücke",
    "rakete", "fahrzeug", "maschine", "sammlung", "ausstellung", "führung", "vortrag", "reise",
    "exkursion", "schule", "börse", "olympiade", "sprint", "marathon", "nacht", "frühstück",
    "sprechstunde", "werkzeug", "set", "box", "mappe", "heft", "buch", "film", "lied", "theater",
    "zirkus", "stadt", "insel", "planet", "welt", "reich", "netz", "code", "plan", "skizze",
    "entwurf", "prototyp", "simulation", "beobachtung", "zählung", "kartierung", "bestimmung",
    "züchtung", "ernte", "küche", "bäckerei", "fabrik", "zentrale", "wache", "station",
    "kompass", "uhr", "waage", "thermometer", "sensor", "kamera", "lupe", "pinzette", "schere",
)  # fmt: skip
_PREFIXES = (
    "Kinder", "Familien", "Jugend", "Schul", "Stadt", "Dorf", "Garten", "Küchen", "Alltags",
    "Zukunfts", "Mini", "Forscher", "Profi", "Einsteiger", "Sommer", "Winter", "Abend", "Nacht",
    "Heilbronner", "Neckar", "Kraichgau", "Hohenloher", "Wald", "Wiesen", "Feld", "Bach",
    "Mädchen", "Team", "Turbo", "Super",
)  # fmt: skip
_MODIFIERS_LOWER = tuple(m.lower() for m in _MODIFIERS)
_TWO_PART = len(_MODIFIERS) * len(_HEADS)
# Not every three-part compound: the pool's size sets how many distinct words a large catalogue has.
_RARE_POOL = _TWO_PART + 100_000
_LOG_POOL = math.log(_RARE_POOL)


def _open_days(day: dt.date, count: int, gap: int) -> list[dt.date]:
    """Up to `count` days from `day` on, `gap` days apart, skipping Sundays and holidays."""
    days: list[dt.date] = []
    while len(days) < count and day <= LAST_DAY:
        if day.weekday() == 6 or (day.month, day.day) in CLOSED_DAYS:
            day += dt.timedelta(days=1)
            continue
        days.append(day)
        day += dt.timedelta(days=gap)
    return days


def _german_date(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _weighted(rng: random.Random, choices: dict[Any, float] | tuple[tuple[Any, float], ...]) -> Any:
    pairs = tuple(choices.items()) if isinstance(choices, dict) else choices
    point = rng.random() * sum(weight for _, weight in pairs)
    for value, weight in pairs:
        point -= weight
        if point < 0:
            return value
    return pairs[-1][0]


class _Generator:
    """Draws offers one after another from one random stream."""

    def __init__(self, seed: int, seeds_dir: Path) -> None:
        vocabulary = json.loads((seeds_dir / "vocabulary.json").read_text(encoding="utf-8"))
        partners = json.loads((seeds_dir / "partners.json").read_text(encoding="utf-8"))
        self.rng = random.Random(seed)
        self.stages = [(s["slug"], s["age_min"], s["age_max"]) for s in vocabulary["stages"]]
        self.subjects = [s["slug"] for s in vocabulary["subjects"]]
        self.parents = {s["slug"]: s.get("parent") for s in vocabulary["subjects"]}
        self.formats = [f["slug"] for f in vocabulary["formats"]]
        self.audiences = [a["slug"] for a in vocabulary["audiences"]]
        self.county = vocabulary["municipalities"]["heilbronn-county"]
        self.partners = partners["partners"]
        # A value added to seeds/ needs its texts and weights here before it can be generated.
        for facet, known, covered in (
            ("subjects", self.subjects, THEMES),
            ("formats", self.formats, TITLE_PATTERNS),
            ("modes", [m["slug"] for m in vocabulary["modes"]], MODES),
            ("districts", [d["slug"] for d in vocabulary["districts"]], (*DISTRICTS, "online")),
        ):
            if set(known) != set(covered):
                raise ValueError(f"{facet} in seeds/ and in this generator differ")
        # The frequent end of the long tail, in an order of the seed's choosing.
        self.compounds = [modifier + head for head in _HEADS for modifier in _MODIFIERS]
        self.rng.shuffle(self.compounds)
        # A few partners offer much, most offer some: a fixed skew over the seeded order.
        self.partner_weights = [1 / (1 + position % 7) for position in range(len(self.partners))]

    def offer(self, number: int) -> dict[str, Any]:
        rng = self.rng
        partner = rng.choices(self.partners, self.partner_weights)[0]
        formats = self._formats(partner["cluster"])
        stage_slugs, age_min, age_max = self._stages_and_ages(formats)
        audiences = self._audiences(formats, stage_slugs, age_min)
        subjects = self._subjects()
        mode = _weighted(rng, MODES)
        if "online-resource" in formats:
            mode = "online"
        elif {"excursion", "lab-visit", "internship"} & set(formats):
            mode = "on-site"
        place = self._place(mode, partner)
        theme = THEMES[subjects[0]]
        topic, noun = rng.choice(theme.topics)
        slots = {
            "topic": topic,
            "noun": noun,
            "activity": rng.choice(theme.activities),
            "thing": rng.choice(theme.things),
            "partner": partner.get("short_name") or partner["name"],
            "place": place["municipality"] or "der Region",
        }
        people = self._people(stage_slugs, audiences)
        holiday = rng.choice(HOLIDAYS)
        title = self._title(formats[0], slots, holiday[0])
        if rng.random() < 0.06 and "educators" not in audiences:
            title += " – für Mädchen"
        schedule = self._schedule(formats, holiday)
        is_free = rng.random() < 0.3
        record: dict[str, Any] = {
            "title": title,
            "summary": self._summary(slots, people, age_min, age_max, place),
            "description": self._description(theme, slots, people),
            "partner": partner["slug"],
            "status": _weighted(rng, (("published", 90), ("draft", 5), ("submitted", 5))),
            "stages": stage_slugs,
            "subjects": subjects,
            "formats": formats,
            "audiences": audiences,
            "age_min": age_min,
            "age_max": age_max,
            "mode": mode,
            **place,
            "schedule": schedule,
            "registration_deadline": self._deadline(schedule),
            **self._group_size(audiences),
            "cost": {
                "free": is_free,
                "price_eur": None if is_free else self._price(),
                "note": rng.choice(COST_NOTES) if not is_free else None,
            },
            "languages": _weighted(rng, ((["de"], 88), (["de", "en"], 10), (["en"], 2))),
            "accessibility_note": rng.choice(ACCESSIBILITY_NOTES) if rng.random() < 0.4 else None,
            "registration_url": f"https://example.org/{partner['slug']}/angebot-{number}",
            "contact_email": f"mint-{number}@example.org",
            "contact_phone": None,
            "last_verified": (dt.date(2026, 6, 1) + dt.timedelta(rng.randrange(180))).isoformat(),
            "demo": True,
        }
        return record

    def _rare_word(self) -> str:
        """A compound noun; word number n is drawn with a frequency of about 1/n (Zipf's law)."""
        number = min(int(math.exp(self.rng.random() * _LOG_POOL)) - 1, _RARE_POOL - 1)
        if number < _TWO_PART:
            return self.compounds[number]
        rest, prefix = divmod(number - _TWO_PART, len(_PREFIXES))
        head, modifier = divmod(rest, len(_MODIFIERS))
        return _PREFIXES[prefix] + _MODIFIERS_LOWER[modifier] + _HEADS[head]

    def _formats(self, cluster: str) -> list[str]:
        rng = self.rng
        preferred = CLUSTER_FORMATS.get(cluster, ())
        first = rng.choice(preferred) if preferred and rng.random() < 0.6 else None
        first = first or rng.choice(self.formats)
        if rng.random() < 0.3:
            second = rng.choice(self.formats)
            if second != first:
                return [first, second]
        return [first]

    def _stages_and_ages(self, formats: list[str]) -> tuple[list[str], int, int]:
        rng = self.rng
        if "study-orientation" in formats:
            index = rng.choice((3, 5))  # upper secondary or higher education
        elif "internship" in formats:
            index = rng.choice((2, 4))
        else:
            index = _weighted(rng, ((0, 10), (1, 22), (2, 26), (3, 14), (4, 10), (5, 9), (6, 9)))
        chosen = [index]
        if rng.random() < 0.4:
            neighbour = index + rng.choice((-1, 1))
            if 0 <= neighbour < len(self.stages):
                chosen.append(neighbour)
        chosen.sort()
        slugs = [self.stages[i][0] for i in chosen]
        if "teacher-training" in formats:
            # For teachers and Kita staff: the stages are those of their pupils, the ages theirs.
            return slugs, rng.choice((18, 22, 25)), rng.choice((65, 67, 99))
        if rng.random() < 0.07:
            return [self.stages[1][0], self.stages[2][0]], 6, 99  # for everybody, e.g. families
        low = min(self.stages[i][1] for i in chosen)
        high = max(self.stages[i][2] for i in chosen)
        if high == 99:  # professionals: wide, open-ended ranges
            return slugs, low, rng.choice((30, 35, 45, 67, 99))
        span = min(_weighted(rng, ((2, 20), (3, 30), (4, 25), (5, 15), (6, 10))), high - low)
        age_min = rng.randint(low, high - span)
        return slugs, age_min, age_min + span

    def _audiences(self, formats: list[str], stages: list[str], age_min: int) -> list[str]:
        rng = self.rng
        if "teacher-training" in formats:
            return ["educators"]
        if formats[0] in ("event", "exhibition") and rng.random() < 0.6:
            return ["families", "participants"] if rng.random() < 0.5 else ["families"]
        if formats[0] in ("lab-visit", "excursion") or stages[0] == "early-childhood":
            main = "school-classes"
        else:
            main = _weighted(rng, (("participants", 70), ("school-classes", 25), ("families", 5)))
        if rng.random() < 0.15:
            extra = rng.choice(self.audiences)
            if extra != main and (extra != "educators" or age_min >= 16):
                return [main, extra]
        return [main]

    def _subjects(self) -> list[str]:
        rng = self.rng
        first = rng.choice(self.subjects)
        subjects = [first]
        for _ in range(_weighted(self.rng, ((0, 55), (1, 35), (2, 10)))):
            other = rng.choice(self.subjects)
            # A subject and its own parent together say nothing more than the subject alone.
            if other not in subjects and self.parents.get(other) not in subjects:
                subjects.append(other)
        return subjects

    def _place(self, mode: str, partner: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        place: dict[str, Any] = dict.fromkeys(
            ("district", "municipality", "venue", "address", "lat", "lon")
        )
        if mode == "online":
            place["district"] = "online"
            return place
        district = _weighted(rng, DISTRICTS)
        place["district"] = district
        if district == "heilbronn-city":
            town = "Heilbronn"
            place["venue"] = (
                rng.choice(CITY_VENUES)
                if rng.random() < 0.5
                else partner.get("short_name") or partner["name"]
            )
        else:
            town = rng.choice(self.county if district == "heilbronn-county" else ELSEWHERE)
            place["venue"] = rng.choice(VENUE_PATTERNS).format(m=town)
        place["municipality"] = town
        if town in PLACES:
            postal_code, lat, lon = PLACES[town]
            place["address"] = f"{rng.choice(STREETS)} {rng.randint(1, 60)}, {postal_code} {town}"
            # Within a few hundred metres of the centre.
            place["lat"] = round(lat + rng.uniform(-0.01, 0.01), 4)
            place["lon"] = round(lon + rng.uniform(-0.015, 0.015), 4)
        return place

    def _people(self, stages: list[str], audiences: list[str]) -> str:
        for audience in audiences:
            if audience in AUDIENCE_PEOPLE and self.rng.random() < 0.7:
                return self.rng.choice(AUDIENCE_PEOPLE[audience])
        return self.rng.choice(STAGE_PEOPLE[stages[0]])

    def _title(self, fmt: str, slots: dict[str, str], holiday: str) -> str:
        return self.rng.choice(TITLE_PATTERNS[fmt]).format(
            Topic=slots["topic"],
            Noun=slots["noun"],
            Act=_cap(slots["activity"]),
            Thing=slots["thing"],
            Holiday=holiday,
            place=slots["place"],
            year=self.rng.choice((2027, 2028)),
        )

    def _summary(
        self, slots: dict[str, str], people: str, age_min: int, age_max: int, place: dict
    ) -> str:
        rng = self.rng
        where = f"in {place['municipality']}" if place["municipality"] else "online"
        first = rng.choice(
            (
                f"{_cap(people)} können {where} {slots['activity']}.",
                f"{_cap(slots['activity'])}: Dazu laden wir {people} {where} ein.",
                f"Hier geht es um {slots['thing']} – {where} und mit viel Zeit zum Ausprobieren.",
            )
        )
        ages = (
            f"Für alle ab {age_min} Jahren."
            if age_max == 99
            else f"Für {age_min}- bis {age_max}-Jährige."
        )
        extra = rng.choice(
            (
                "Keine Vorkenntnisse nötig.",
                "Material wird gestellt.",
                "Mit Anmeldung.",
                "Auch für Gruppen buchbar.",
                f"In Zusammenarbeit mit {slots['partner']}.",
                "",
            )
        )
        summary = " ".join(part for part in (first, ages, extra) if part)
        return summary if len(summary) <= 300 else first[:300]

    def _description(self, theme: Theme, slots: dict[str, str], people: str) -> str:
        rng = self.rng
        target = rng.randint(80, 200)
        fill = {
            **slots,
            "people": people,
            "People": _cap(people),
            "topic_noun": slots["noun"],
        }

        fresh = {  # drawn anew for each use, and only when the template asks for them
            "Activity": lambda: _cap(rng.choice(theme.activities)),
            "Thing": lambda: _cap(rng.choice(theme.things)),
            "rare": self._rare_word,
            "rare2": self._rare_word,
            "Rare": self._rare_word,
            "verb": lambda: rng.choice(VERBS),
            "minutes": lambda: rng.choice((60, 90, 120, 180)),
        }

        def say(template: str) -> str:
            drawn = {name: draw() for name, draw in fresh.items() if f"{{{name}}}" in template}
            return template.format(**fill, **drawn)

        intro = " ".join(say(t) for t in rng.sample(INTROS, 2))
        bullets = "\n".join(f"- {_cap(say(t))}" for t in rng.sample(BULLETS, rng.randint(3, 5)))
        parts = [intro, rng.choice(LIST_HEADINGS) + "\n\n" + bullets]
        words = len(intro.split()) + len(bullets.split())
        body: list[str] = []
        closing = say(rng.choice(CLOSINGS))
        words += len(closing.split())
        for template in rng.sample(BODY, len(BODY)):
            if words >= target:
                break
            sentence = say(template)
            body.append(sentence)
            words += len(sentence.split())
        # Two paragraphs of body text, as people write them.
        middle = len(body) // 2 or len(body)
        parts += [" ".join(body[:middle]), " ".join(body[middle:]), closing]
        return "\n\n".join(part for part in parts if part)

    def _schedule(self, formats: list[str], holiday: tuple[str, dt.date, dt.date]) -> dict:
        kind = _weighted(self.rng, (("dated", 50), ("recurring", 20), ("on-request", 30)))
        if "holiday-programme" in formats:
            return self._dated(holiday)
        if kind == "dated":
            return self._dated(None)
        if kind == "recurring":
            return self._recurring()
        return {"kind": "on-request", "description": self.rng.choice(ON_REQUEST_NOTES)}

    def _dated(self, holiday: tuple[str, dt.date, dt.date] | None) -> dict[str, Any]:
        """1–6 sessions: on following days in the holidays, else daily, weekly or fortnightly."""
        rng = self.rng
        first, last = holiday[1:] if holiday else (FIRST_DAY, LAST_DAY)
        day = first + dt.timedelta(rng.randrange((last - first).days + 1))
        count = _weighted(rng, ((1, 40), (2, 20), (3, 15), (4, 10), (5, 8), (6, 7)))
        gap = 1 if holiday else rng.choice((1, 1, 7, 14))
        minutes = rng.choice((60, 90, 120, 180, 240, 360))
        hour = rng.choice((9, 10) if minutes > 120 else (9, 10, 14, 15, 16, 17, 18))
        minute = rng.choice((0, 0, 30))
        length = dt.timedelta(minutes=minutes)
        days = _open_days(day, count, gap) or _open_days(first, count, gap)
        sessions = []
        for day in days:
            start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
            sessions.append(
                {
                    "start": start.isoformat(timespec="seconds"),
                    "end": (start + length).isoformat(timespec="seconds"),
                }
            )
        description = None
        if len(sessions) > 1:
            description = rng.choice(
                (None, "Alle Termine bauen aufeinander auf.", "Die Termine sind einzeln buchbar.")
            )
        return {"kind": "dated", "sessions": sessions, "description": description}

    def _recurring(self) -> dict[str, Any]:
        """Weekly or fortnightly on one weekday, with a COUNT or an UNTIL: at most 40 dates."""
        rng = self.rng
        weekday = rng.randrange(len(WEEKDAYS))
        code, weekday_name = WEEKDAYS[weekday]
        day = FIRST_DAY + dt.timedelta(rng.randrange(300))
        day += dt.timedelta((weekday - day.weekday()) % 7)  # the first date is one of the rule's
        hour, minute = rng.choice(((14, 30), (15, 0), (15, 30), (16, 0), (17, 0), (18, 30)))
        duration = rng.choice((60, 90, 120))
        start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
        end = start + dt.timedelta(minutes=duration)
        fortnightly = rng.random() < 0.2
        rule = "FREQ=WEEKLY;INTERVAL=2;" if fortnightly else "FREQ=WEEKLY;"
        when = f"jeden zweiten {weekday_name[:-1].capitalize()}" if fortnightly else weekday_name
        when += f" {start:%H:%M}–{end:%H:%M} Uhr"
        if rng.random() < 0.5:
            count = rng.randint(4, 30)
            rule += f"BYDAY={code};COUNT={count}"
            description = f"{when}, {count} Termine ab dem {_german_date(day)}"
        else:
            last = day + dt.timedelta(weeks=rng.randint(4, 39))
            rule += f"BYDAY={code};UNTIL={last:%Y%m%d}T235959Z"
            description = f"{when} vom {_german_date(day)} bis zum {_german_date(last)}"
        return {
            "kind": "recurring",
            "rrule": rule,
            "first_start": start.isoformat(timespec="seconds"),
            "duration_minutes": duration,
            "description": description,
        }

    def _deadline(self, schedule: dict[str, Any]) -> str | None:
        if schedule["kind"] == "on-request" or self.rng.random() < 0.6:
            return None
        first = (
            schedule["sessions"][0]["start"]
            if schedule["kind"] == "dated"
            else (schedule["first_start"])
        )
        day = dt.date.fromisoformat(first[:10]) - dt.timedelta(days=self.rng.choice((7, 14, 21)))
        return day.isoformat()

    def _group_size(self, audiences: list[str]) -> dict[str, int | None]:
        rng = self.rng
        if "school-classes" in audiences:
            return {
                "group_size_min": rng.choice((None, 8, 10)),
                "group_size_max": rng.choice((25, 30, 32)),
            }
        if rng.random() < 0.5:
            return {"group_size_min": None, "group_size_max": rng.choice((8, 10, 12, 15, 20, 25))}
        return {"group_size_min": None, "group_size_max": None}

    def _price(self) -> float | int:
        price = _weighted(self.rng, ((3, 10), (5, 20), (8, 10), (12, 15), (25, 15), (60, 15),
                                     (120, 10), (250, 5)))  # fmt: skip
        return price + 0.5 if self.rng.random() < 0.2 else price


def generate(count: int, seed: int = 2026, seeds_dir: Path = SEEDS_DIR) -> Iterator[dict[str, Any]]:
    """`count` offers as records, the same ones for the same seed."""
    generator = _Generator(seed, seeds_dir)
    for number in range(1, count + 1):
        yield generator.offer(number)


def write_catalogue(path: Path, count: int, seed: int = 2026) -> None:
    """Write `count` offers to `path` as JSON Lines, byte for byte the same for the same seed."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for record in generate(count, seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many offers")
    parser.add_argument("path", type=Path, help="the JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    write_catalogue(args.path, args.count, args.seed)


if __name__ == "__main__":
    main()
