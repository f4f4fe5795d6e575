"""Command-line interface: `flask --app wsgi seed | index … | users … | offers …`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from catalogue import indexing, workflow
from catalogue.extensions import db
from catalogue.models import ROLES, Offer, Partner, User
from catalogue.offer_records import InvalidRecord, apply_record, slugify, validate_record
from catalogue.passwords import hash_password
from catalogue.seeding import seed_all
from catalogue.vocabulary import load_vocabulary

index_cli = AppGroup("index", help="Keep the search index in step with the database.")
users_cli = AppGroup("users", help="Manage user accounts.")
offers_cli = AppGroup("offers", help="Bulk operations on offers.")


@click.command("seed")
@with_appcontext
@click.option(
    "--demo", is_flag=True, help="Also create the local demo accounts (never in production)."
)
def seed_command(demo: bool) -> None:
    """Load vocabulary, partners and demo offers from seeds/ (idempotent)."""
    report = seed_all(db.session, demo_accounts=demo)
    db.session.commit()
    click.echo(
        f"Seeded {report.terms} vocabulary terms, {report.partners} partners, "
        f"{report.offers_added} new demo offers, {report.accounts_added} new demo accounts."
    )


@index_cli.command("rebuild")
def index_rebuild() -> None:
    """Build a fresh index beside the old one and swap it in."""
    count = indexing.rebuild_index()
    click.echo(f"Index rebuilt with {count} published offers.")


@index_cli.command("sync")
def index_sync() -> None:
    """Apply pending change-log rows to this machine's index."""
    index = indexing.get_index()
    if not index.exists():
        raise click.ClickException("No index yet: run `flask --app wsgi index rebuild`.")
    applied = indexing.apply_pending_changes()
    click.echo(f"Applied {applied} change-log rows.")


@index_cli.command("check")
def index_check() -> None:
    """Report drift between database and index; exits 1 unless there is none."""
    try:
        drift = indexing.check_index()
    except indexing.IndexMissing:
        raise click.ClickException("No index: run `flask --app wsgi index rebuild`.") from None
    click.echo(f"missing from index: {len(drift.missing)}")
    click.echo(f"not published but indexed: {len(drift.extra)}")
    click.echo(f"pending change-log rows: {drift.pending}")
    click.echo(f"drift: {drift.total}")
    if drift.total:
        raise SystemExit(1)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--partner", "partner_slug", help="Partner slug (required for role partner).")
@click.password_option()
def users_create(email: str, role: str, partner_slug: str | None, password: str) -> None:
    """Create a user account."""
    email = email.strip().lower()
    if db.session.execute(select(User).where(User.email == email)).scalar_one_or_none():
        raise click.ClickException(f"A user {email} exists already.")
    partner = None
    if role == "partner":
        if not partner_slug:
            raise click.ClickException("A partner user needs --partner.")
        partner = db.session.execute(
            select(Partner).where(Partner.slug == partner_slug)
        ).scalar_one_or_none()
        if partner is None:
            raise click.ClickException(f"No partner {partner_slug}.")
    db.session.add(
        User(email=email, role=role, partner=partner, password_hash=hash_password(password))
    )
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@offers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def offers_import(file: Path) -> None:
    """Import offers from JSON Lines; all or nothing, each bad line reported with its number."""
    vocabulary = load_vocabulary()
    partner_slugs = set(db.session.execute(select(Partner.slug)).scalars())
    valid, problems = [], []
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                valid.append(validate_record(json.loads(line), vocabulary, partner_slugs))
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not valid JSON ({exc.msg})")
            except InvalidRecord as exc:
                problems.append(f"line {number}: {exc}")
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(problems)} bad lines; nothing was imported.")
    for clean in valid:
        offer = Offer()
        clean["slug"] = clean["slug"] or slugify(clean["title"])
        workflow.place(offer, clean["status"], actor=None, reason=f"Import aus {file.name}")
        apply_record(db.session, offer, clean)
    db.session.commit()
    click.echo(f"Imported {len(valid)} offers.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(index_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(offers_cli)
