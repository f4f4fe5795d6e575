"""Schema migrations on a catalogue with data: they keep what people wrote."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from catalogue.extensions import db
from catalogue.models import Offer

GERMAN_SENTENCES = [
    ("Änderung zur Prüfung eingereicht", "revision-submitted", None),
    ("Änderung freigegeben", "revision-approved", None),
    ("Änderung abgelehnt: Bitte Ort ergänzen.", "revision-rejected", "Bitte Ort ergänzen."),
    ("Demo-Daten", "demo-data", None),
    ("Import aus herbst.jsonl", "import", "herbst.jsonl"),
    ("Die Zielgruppe fehlt.", None, "Die Zielgruppe fehlt."),  # a rejection reason stays
]


def test_history_sentences_become_event_codes_and_back(app: Flask) -> None:
    with app.app_context():
        offer_id = db.session.execute(select(Offer.id).limit(1)).scalar_one()
        db.session.remove()
        downgrade(revision="0002")
        for sentence, _event, _reason in GERMAN_SENTENCES:
            db.session.execute(
                text(
                    "INSERT INTO offer_transitions (offer_id, from_status, to_status, reason, "
                    "created_at) VALUES (:offer, 'published', 'published', :reason, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"offer": offer_id, "reason": sentence},
            )
        db.session.commit()
        db.session.remove()

        upgrade()
        stored = db.session.execute(
            text("SELECT event, reason FROM offer_transitions WHERE offer_id = :offer ORDER BY id"),
            {"offer": offer_id},
        ).all()
        assert [tuple(row) for row in stored[-len(GERMAN_SENTENCES) :]] == [
            (event, reason) for _sentence, event, reason in GERMAN_SENTENCES
        ]
        db.session.remove()

        downgrade(revision="0002")
        sentences = (
            db.session.execute(
                text("SELECT reason FROM offer_transitions WHERE offer_id = :offer ORDER BY id"),
                {"offer": offer_id},
            )
            .scalars()
            .all()
        )
        assert sentences[-len(GERMAN_SENTENCES) :] == [s for s, _e, _r in GERMAN_SENTENCES]
        db.session.remove()
        upgrade()
