"""The database models: vocabulary, partners, offers, users, workflow history, change log.

Datetimes are stored as naive UTC (portable across SQLite and PostgreSQL); `timeutil`
converts them to Europe/Berlin for people.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from catalogue.extensions import db
from catalogue.timeutil import utcnow


def new_token() -> str:
    return secrets.token_hex(16)


FACETS = ("stage", "subject", "format", "audience", "mode", "district", "cluster")
OFFER_STATUSES = ("draft", "submitted", "published", "rejected", "withdrawn", "archived")
SCHEDULE_KINDS = ("dated", "recurring", "on-request")
ROLES = ("partner", "editor", "admin")
REVISION_STATUSES = ("draft", "submitted", "approved", "rejected", "discarded")
APPLICATION_STATUSES = ("pending", "accepted", "declined")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class VocabularyTerm(db.Model):
    """One value of a facet of the vocabulary (a stage, a subject, a district, …)."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (
        UniqueConstraint("facet", "slug", name="uq_vocabulary_terms_facet_slug"),
        CheckConstraint(_in("facet", FACETS), name="facet_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facet: Mapped[str] = mapped_column(String(20))
    slug: Mapped[str] = mapped_column(String(60))
    label_de: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("vocabulary_terms.id"))
    position: Mapped[int] = mapped_column(default=0)
    age_min: Mapped[int | None]
    age_max: Mapped[int | None]
    kim_level: Mapped[str | None] = mapped_column(String(20))

    parent: Mapped[VocabularyTerm | None] = relationship(remote_side=[id])

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_de


offer_terms = Table(
    "offer_terms",
    db.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_terms.id"), primary_key=True),
)


class Partner(db.Model):
    """A member organisation of the alliance that publishes offers."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(80))
    cluster_id: Mapped[int] = mapped_column(ForeignKey("vocabulary_terms.id"))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(60))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    is_founding_member: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cluster: Mapped[VocabularyTerm] = relationship()
    offers: Mapped[list[Offer]] = relationship(back_populates="partner")


class Offer(db.Model):
    """A MINT education offer of one partner."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(_in("status", OFFER_STATUSES), name="status_known"),
        CheckConstraint(_in("schedule_kind", SCHEDULE_KINDS), name="schedule_kind_known"),
        CheckConstraint("age_min >= 0 AND age_max <= 99 AND age_min <= age_max", name="age_range"),
        CheckConstraint(
            "group_size_min IS NULL OR group_size_max IS NULL OR group_size_min <= group_size_max",
            name="group_size_range",
        ),
        CheckConstraint("price_eur IS NULL OR price_eur >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    age_min: Mapped[int]
    age_max: Mapped[int]
    mode_id: Mapped[int] = mapped_column(ForeignKey("vocabulary_terms.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("vocabulary_terms.id"))
    municipality: Mapped[str | None] = mapped_column(String(100))
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    schedule_kind: Mapped[str] = mapped_column(String(20), default="on-request")
    # Recurring schedules: an RFC 5545 RRULE, its first start (UTC) and the length of one session.
    rrule: Mapped[str | None] = mapped_column(String(300))
    recurrence_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration_minutes: Mapped[int | None]
    schedule_note: Mapped[str | None] = mapped_column(String(300))
    registration_deadline: Mapped[dt.date | None] = mapped_column(Date)
    group_size_min: Mapped[int | None]
    group_size_max: Mapped[int | None]
    is_free: Mapped[bool] = mapped_column(default=True)
    price_eur: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    cost_note: Mapped[str | None] = mapped_column(String(300))
    # Comma-separated ISO 639-1 codes, e.g. "de,en".
    languages: Mapped[str] = mapped_column(String(60), default="de")
    accessibility_note: Mapped[str | None] = mapped_column(String(500))
    registration_url: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(60))
    is_demo: Mapped[bool] = mapped_column(default=False)
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    partner: Mapped[Partner] = relationship(back_populates="offers")
    mode: Mapped[VocabularyTerm] = relationship(foreign_keys=[mode_id])
    district: Mapped[VocabularyTerm] = relationship(foreign_keys=[district_id])
    terms: Mapped[list[VocabularyTerm]] = relationship(
        secondary=offer_terms, order_by=VocabularyTerm.position
    )
    sessions: Mapped[list[OfferSession]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferSession.starts_at"
    )
    transitions: Mapped[list[OfferTransition]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferTransition.id"
    )

    def terms_of(self, facet: str) -> list[VocabularyTerm]:
        """The offer's terms of one facet (stage, subject, …), in vocabulary order."""
        return [term for term in self.terms if term.facet == facet]

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_published(self) -> bool:
        return self.status == "published"


def offer_list_options() -> tuple:
    """Loader options for offers in lists, cards and search documents: a few queries in all."""
    return (
        joinedload(Offer.partner),
        joinedload(Offer.mode),
        joinedload(Offer.district),
        selectinload(Offer.terms),
        selectinload(Offer.sessions),
    )


class OfferSession(db.Model):
    """One dated session of an offer."""

    __tablename__ = "offer_sessions"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    offer: Mapped[Offer] = relationship(back_populates="sessions")


class User(UserMixin, db.Model):
    """Someone who logs in: a partner's staff, an editor of the alliance, or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint(
            "role <> 'partner' OR partner_id IS NOT NULL", name="partner_user_has_partner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the login session's identity: a new one ends every session and every set-password
    # link issued before it (see `accounts`).
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    partner: Mapped[Partner | None] = relationship()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled

    @property
    def is_editor(self) -> bool:
        return self.role in ("editor", "admin")


class OfferTransition(db.Model):
    """One recorded status change of an offer: who, when, from, to, why."""

    __tablename__ = "offer_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    # What happened besides a status move, as a code the pages translate (workflow.EVENTS);
    # `reason` then holds the free text that goes with it (a rejection reason, a file name).
    event: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    offer: Mapped[Offer] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class OfferRevision(db.Model):
    """A partner's edit of a published offer, waiting for review while the published text stays.

    `data` is the offer as a record (the shape of `/api/v1/offers/<slug>`), validated again when
    an editor approves it.
    """

    __tablename__ = "offer_revisions"
    __table_args__ = (CheckConstraint(_in("status", REVISION_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    offer: Mapped[Offer] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in ("draft", "submitted")


class MembershipApplication(db.Model):
    """An organisation's application to join the alliance, decided by an editor."""

    __tablename__ = "membership_applications"
    __table_args__ = (CheckConstraint(_in("status", APPLICATION_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("vocabulary_terms.id"))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    # The language the applicant used on the form: the decision's mail is written in it.
    language: Mapped[str] = mapped_column(String(5), default="de", server_default="de")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    cluster: Mapped[VocabularyTerm | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
    decided_by: Mapped[User | None] = relationship()


class IndexChange(db.Model):
    """The change log: one row per offer change, written in the transaction of the change.

    Search index replicas follow it by sequence number. `offer_id` carries no foreign key on
    purpose: the row must outlive a deleted offer so that replicas learn of the deletion.
    """

    __tablename__ = "index_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    offer_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
