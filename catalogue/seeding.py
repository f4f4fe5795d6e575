"""Loading seeds/ into the database: vocabulary, partners, demo offers, demo accounts.

Every step is idempotent: vocabulary and partners are brought in line with the files, demo offers
and accounts that exist already are left as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue import workflow
from catalogue.config import SEEDS_DIR
from catalogue.models import Offer, Partner, User, VocabularyTerm
from catalogue.offer_records import apply_record, slugify, validate_record
from catalogue.passwords import hash_password
from catalogue.vocabulary import load_vocabulary

# vocabulary.json key -> facet
VOCABULARY_KEYS = {
    "stages": "stage",
    "subjects": "subject",
    "formats": "format",
    "audiences": "audience",
    "modes": "mode",
    "districts": "district",
    "clusters": "cluster",
}
DEMO_PASSWORD = "mint-demo-2026"
DEMO_ACCOUNTS = (
    ("redaktion@example.org", "editor", None),
    ("partner@example.org", "partner", "experimenta"),
)


@dataclass
class SeedReport:
    terms: int = 0
    partners: int = 0
    offers_added: int = 0
    accounts_added: int = 0


def read_json(name: str, seeds_dir: Path = SEEDS_DIR) -> Any:
    return json.loads((seeds_dir / name).read_text(encoding="utf-8"))


def read_demo_offers(seeds_dir: Path = SEEDS_DIR) -> list[dict[str, Any]]:
    lines = (seeds_dir / "demo-offers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def seed_vocabulary(session: Session, vocabulary: dict[str, list[dict[str, Any]]]) -> int:
    existing = {(t.facet, t.slug): t for t in session.execute(select(VocabularyTerm)).scalars()}
    count = 0
    for key, facet in VOCABULARY_KEYS.items():
        for position, item in enumerate(vocabulary[key]):
            term = existing.get((facet, item["slug"]))
            if term is None:
                term = VocabularyTerm(facet=facet, slug=item["slug"])
                session.add(term)
                existing[(facet, item["slug"])] = term
            term.label_de = item["label_de"]
            term.label_en = item["label_en"]
            term.position = position
            term.age_min = item.get("age_min")
            term.age_max = item.get("age_max")
            term.kim_level = item.get("kim_level")
            parent = item.get("parent")
            term.parent = existing[(facet, parent)] if parent else None
            count += 1
    session.flush()
    return count


def seed_partners(session: Session, partners: list[dict[str, Any]]) -> int:
    clusters = {
        t.slug: t
        for t in session.execute(
            select(VocabularyTerm).where(VocabularyTerm.facet == "cluster")
        ).scalars()
    }
    existing = {p.slug: p for p in session.execute(select(Partner)).scalars()}
    for item in partners:
        partner = existing.get(item["slug"]) or Partner(slug=item["slug"])
        address = item.get("address") or {}
        partner.name = item["name"]
        partner.short_name = item.get("short_name") or item["name"]
        partner.cluster = clusters[item["cluster"]]
        partner.website = item.get("website")
        partner.description = item.get("description") or ""
        partner.contact_email = item.get("contact_email")
        partner.phone = item.get("phone")
        partner.street = address.get("street")
        partner.postal_code = address.get("postal_code")
        partner.city = address.get("city")
        partner.is_founding_member = bool(item.get("founding_member"))
        partner.is_active = item.get("active", True)
        session.add(partner)
    session.flush()
    return len(partners)


def seed_demo_offers(session: Session, records: list[dict[str, Any]]) -> int:
    vocabulary = load_vocabulary(session)
    partner_slugs = set(session.execute(select(Partner.slug)).scalars())
    taken = set(session.execute(select(Offer.slug)).scalars())
    added = 0
    for record in records:
        clean = validate_record(record, vocabulary, partner_slugs)
        slug = clean["slug"] or slugify(clean["title"])
        if slug in taken:
            continue
        clean["slug"] = slug
        offer = Offer()
        workflow.place(offer, clean["status"], actor=None, event="demo-data")
        apply_record(session, offer, clean)
        taken.add(slug)
        added += 1
    return added


def seed_demo_accounts(session: Session) -> int:
    added = 0
    for email, role, partner_slug in DEMO_ACCOUNTS:
        if session.execute(select(User).where(User.email == email)).scalar_one_or_none():
            continue
        partner = (
            session.execute(select(Partner).where(Partner.slug == partner_slug)).scalar_one()
            if partner_slug
            else None
        )
        session.add(
            User(
                email=email, role=role, partner=partner, password_hash=hash_password(DEMO_PASSWORD)
            )
        )
        added += 1
    session.flush()
    return added


def seed_all(
    session: Session, *, demo_accounts: bool = False, seeds_dir: Path = SEEDS_DIR
) -> SeedReport:
    """Vocabulary, partners and demo offers; with `demo_accounts` also the local demo logins."""
    report = SeedReport()
    report.terms = seed_vocabulary(session, read_json("vocabulary.json", seeds_dir))
    report.partners = seed_partners(session, read_json("partners.json", seeds_dir)["partners"])
    report.offers_added = seed_demo_offers(session, read_demo_offers(seeds_dir))
    if demo_accounts:
        report.accounts_added = seed_demo_accounts(session)
    return report
