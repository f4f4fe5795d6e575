"""history events as codes, translated when shown

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 12:10:00

Events used to be stored as German sentences in `reason` and showed untranslated on English
pages; they become codes in `event`, and `reason` keeps only the free text that went with them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# (event code, the German sentence it replaces, how `reason` started) — `reason` keeps what
# followed the prefix (a rejection reason, an import file's name), else nothing.
_EVENTS = [
    ("revision-submitted", "Änderung zur Prüfung eingereicht", None),
    ("revision-approved", "Änderung freigegeben", None),
    ("demo-data", "Demo-Daten", None),
    ("revision-rejected", None, "Änderung abgelehnt: "),
    ("import", None, "Import aus "),
]


def upgrade():
    op.add_column('offer_transitions', sa.Column('event', sa.String(length=30), nullable=True))
    for event, sentence, prefix in _EVENTS:
        if sentence is not None:
            op.execute(
                sa.text(
                    "UPDATE offer_transitions SET event = :event, reason = NULL "
                    "WHERE event IS NULL AND reason = :sentence"
                ).bindparams(event=event, sentence=sentence)
            )
        else:
            op.execute(
                sa.text(
                    "UPDATE offer_transitions SET event = :event, "
                    "reason = substr(reason, :start) "
                    "WHERE event IS NULL AND substr(reason, 1, :length) = :prefix"
                ).bindparams(event=event, prefix=prefix, start=len(prefix) + 1, length=len(prefix))
            )


def downgrade():
    for event, sentence, prefix in _EVENTS:
        if sentence is not None:
            op.execute(
                sa.text(
                    "UPDATE offer_transitions SET reason = :sentence WHERE event = :event"
                ).bindparams(event=event, sentence=sentence)
            )
        else:
            op.execute(
                sa.text(
                    "UPDATE offer_transitions SET reason = :prefix || coalesce(reason, '') "
                    "WHERE event = :event"
                ).bindparams(event=event, prefix=prefix)
            )
    with op.batch_alter_table('offer_transitions') as batch_op:
        batch_op.drop_column('event')
