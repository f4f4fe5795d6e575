"""Command-line interface: `flask --app wsgi seed | index … | users … | offers … | backup`."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from catalogue import backup, indexing, workflow
from catalogue.extensions import db
from catalogue.models import ROLES, Offer, Partner, User
from catalogue.offer_records import InvalidRecord, RecordLookups, apply_record, validate_record
from catalogue.passwords import hash_password
from catalogue.seeding import seed_all
from catalogue.vocabulary import Vocabulary, load_vocabulary

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
    if drift.ahead:
        click.echo(
            f"the index has applied {drift.ahead} change-log numbers the database does not have "
            "(restored from a backup?): run `flask --app wsgi index rebuild`"
        )
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


# Offers written per flush of a bulk import: big enough for few round trips, small enough that
# the session does not hold the whole file.
IMPORT_BATCH = 1000


@offers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid lines and skip the bad ones (each is still reported).",
)
def offers_import(file: Path, skip_invalid: bool) -> None:
    """Import offers from JSON Lines; all or nothing, each bad line reported with its number.

    With --skip-invalid the valid lines go in (in one transaction) and the bad ones are skipped.
    Progress goes to stderr, the summary to stdout."""
    lookups = RecordLookups.load(db.session)
    valid, problems = _check_import(file, load_vocabulary(), lookups)
    for problem in problems:
        click.echo(problem, err=True)
    if problems and not skip_invalid:
        raise click.ClickException(f"{len(problems)} bad lines; nothing was imported.")
    # Explicit slugs are the offers' identities: slugs made from titles must not take them.
    lookups.taken_slugs.update(clean["slug"] for clean in valid if clean["slug"])
    # The checked records stay alive until the end: spare them the cyclic garbage collector's
    # repeated scans while the ORM makes and drops objects (a third of the time otherwise).
    gc.freeze()
    try:
        with click.progressbar(
            valid,
            label="Writing offers",
            file=sys.stderr,
            update_min_steps=max(1, len(valid) // 200),
        ) as bar:
            for count, clean in enumerate(bar, start=1):
                offer = Offer(slug=clean["slug"])  # None: made from the title when written
                workflow.place(offer, clean["status"], actor=None, event="import", reason=file.name)
                apply_record(db.session, offer, clean, lookups=lookups, flush=False)
                if count % IMPORT_BATCH == 0:
                    db.session.flush()
        click.echo("Committing and updating the search index …", err=True)
        # One commit for the whole file: all or nothing, also for the valid lines alone.
        db.session.commit()
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The database refused the import, nothing was imported: {exc.orig}"
        ) from None
    finally:
        gc.unfreeze()
    summary = f"Imported {len(valid)} offers."
    if problems:
        summary = f"Imported {len(valid)} offers; skipped {len(problems)} bad lines."
    click.echo(summary)


def _check_import(
    file: Path, vocabulary: Vocabulary, lookups: RecordLookups
) -> tuple[list[dict[str, Any]], list[str]]:
    """The valid records of the file, and one message per bad line."""
    partner_slugs = set(lookups.partners)
    valid: list[dict[str, Any]] = []
    problems: list[str] = []
    line_of_slug: dict[str, int] = {}
    size = file.stat().st_size
    with (
        file.open("rb") as lines,
        click.progressbar(
            length=size,
            label="Checking lines",
            file=sys.stderr,
            update_min_steps=max(1, size // 200),
        ) as bar,
    ):
        for number, raw in enumerate(lines, start=1):
            bar.update(len(raw))
            if not raw.strip():
                continue
            try:
                clean = validate_record(
                    json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8")),
                    vocabulary,
                    partner_slugs,
                )
            except UnicodeDecodeError:
                problems.append(f"line {number}: not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not valid JSON ({exc.msg})")
                continue
            except RecursionError:
                problems.append(f"line {number}: not valid JSON (nested too deeply)")
                continue
            except InvalidRecord as exc:
                problems.append(f"line {number}: {exc}")
                continue
            slug = clean["slug"]
            if slug in lookups.taken_slugs:
                problems.append(f"line {number}: slug: „{slug}“ gibt es schon im Katalog")
            elif slug in line_of_slug:
                problems.append(
                    f"line {number}: slug: „{slug}“ steht schon in Zeile {line_of_slug[slug]}"
                )
            else:
                if slug:
                    line_of_slug[slug] = number
                valid.append(clean)
    return valid, problems


@click.command("backup")
@with_appcontext
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the backup (must not exist yet); default: a timestamped file in "
    "CATALOGUE_BACKUP_DIR.",
)
def backup_command(output: Path | None) -> None:
    """Copy the database consistently while the application goes on writing.

    SQLite through its online backup API, PostgreSQL with pg_dump (custom format, for
    pg_restore). The search index needs no backup: `index rebuild` makes it from the database."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        output = output or backup.default_backup_path(url, Path(current_app.config["BACKUP_DIR"]))
        made = backup.back_up_database(url, output, pg_dump=current_app.config["PG_DUMP"])
    except backup.BackupError as exc:
        raise click.ClickException(f"No backup made. {exc}") from None
    click.echo(f"Backup written to {made.path} ({made.size:,} bytes).")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(index_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(offers_cli)
    app.cli.add_command(backup_command)
