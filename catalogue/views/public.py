"""The public pages: home, search and browse, offer and partner pages, health."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from catalogue import indexing, membership, watchlist
from catalogue.extensions import db
from catalogue.forms.moderation import JoinForm
from catalogue.models import Offer, Partner, VocabularyTerm, offer_list_options
from catalogue.offer_search import search_offers
from catalogue.search_params import InvalidParameter, SearchParams, parse_search_params
from catalogue.templating import external_url
from catalogue.vocabulary import current_vocabulary

bp = Blueprint("public", __name__)

# Offers a partner's page shows; the search behind its link shows them all, page by page.
PARTNER_PAGE_OFFERS = 12


def _published_counts_by_partner() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Offer.partner_id, func.count())
            .where(Offer.status == "published")
            .group_by(Offer.partner_id)
        ).all()
    )


@bp.get("/")
def home() -> str:
    """Start page: search box, the child's age, the stages of the education chain."""
    vocabulary = current_vocabulary()
    overview = search_offers(SearchParams(per_page=6), vocabulary, str(get_locale()))
    stage_counts = {v.value: v.count for v in overview.facets.get("stage", [])}
    clusters = _clusters_with_members()
    return render_template(
        "public/home.html",
        stages=vocabulary.terms("stage"),
        stage_counts=stage_counts,
        upcoming=overview,
        clusters=clusters,
        member_count=sum(len(members) for _cluster, members in clusters),
    )


@bp.get("/offers")
def offers() -> tuple[str, int]:
    """Search and browse published offers with filters."""
    vocabulary = current_vocabulary()
    partner_slugs = set(db.session.execute(select(Partner.slug)).scalars())
    try:
        params = parse_search_params(request.args, vocabulary, partner_slugs)
    except InvalidParameter as error:
        return render_template("public/offers.html", error=error, found=None, params=None), 400
    found = search_offers(params, vocabulary, str(get_locale()))
    partners = {
        p.slug: p.name
        for p in db.session.execute(
            select(Partner).where(Partner.slug.in_(params.filters.get("partner", ())))
        ).scalars()
    }
    return render_template(
        "public/offers.html", error=None, found=found, params=params, partner_names=partners
    ), 200


@bp.get("/offers/<slug>")
def offer_detail(slug: str) -> str:
    """Everything about one published offer."""
    offer = db.session.execute(
        select(Offer).where(Offer.slug == slug, Offer.status == "published")
    ).scalar_one_or_none()
    if offer is None:
        abort(404)
    return render_template("public/offer.html", offer=offer)


@bp.get("/merkliste")
def watchlist_page() -> str:
    """The offers a watchlist link names; without one, how the watchlist works."""
    wanted = watchlist.parse_watchlist(request.args.getlist(watchlist.WATCHLIST_PARAM))
    offers = watchlist.published_offers(db.session, wanted.slugs)
    slugs = [offer.slug for offer in offers]
    share_url = external_url("public.watchlist_page")
    if slugs:
        # Slugs need no escaping, and unescaped commas keep a shared link readable.
        share_url += f"?{watchlist.WATCHLIST_PARAM}=" + ",".join(slugs)
    return render_template(
        "public/watchlist.html",
        offers=offers,
        is_requested=watchlist.WATCHLIST_PARAM in request.args,
        is_truncated=wanted.is_truncated,
        share_url=share_url,
    )


@bp.get("/partners")
def partners() -> str:
    """The alliance's members, grouped by cluster."""
    return render_template(
        "public/partners.html",
        clusters=_clusters_with_members(),
        counts=_published_counts_by_partner(),
    )


def _clusters_with_members() -> list[tuple[VocabularyTerm, list[Partner]]]:
    """The alliance's three clusters in their order, each with its active members by name."""
    clusters = db.session.execute(
        select(VocabularyTerm)
        .where(VocabularyTerm.facet == "cluster")
        .order_by(VocabularyTerm.position)
    ).scalars()
    members = db.session.execute(
        select(Partner).where(Partner.is_active.is_(True)).order_by(Partner.name)
    ).scalars()
    by_cluster: dict[int, list[Partner]] = {}
    for member in members:
        by_cluster.setdefault(member.cluster_id, []).append(member)
    return [(cluster, by_cluster.get(cluster.id, [])) for cluster in clusters]


@bp.get("/partners/<slug>")
def partner_detail(slug: str) -> str:
    """One member and its published offers."""
    partner = db.session.execute(
        select(Partner).where(Partner.slug == slug, Partner.is_active.is_(True))
    ).scalar_one_or_none()
    if partner is None:
        abort(404)
    published = (Offer.partner_id == partner.id, Offer.status == "published")
    total = db.session.execute(
        select(func.count()).select_from(Offer).where(*published)
    ).scalar_one()
    # A large member has hundreds of offers: the page shows a first few, the search all of them.
    offers = db.session.execute(
        select(Offer)
        .where(*published)
        .options(*offer_list_options())
        .order_by(Offer.title, Offer.id)
        .limit(PARTNER_PAGE_OFFERS)
    ).scalars()
    return render_template("public/partner.html", partner=partner, offers=offers.all(), total=total)


@bp.get("/healthz")
def healthz():
    """Machine-readable health: database reachable, index generation and lag."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    index = indexing.index_status()
    status = "ok" if index["status"] == "ok" else "degraded"
    return jsonify({"status": status, "database": database, "index": index}), 200


@bp.route("/join", methods=["GET", "POST"])
def join() -> ResponseReturnValue:
    """An organisation that is not yet a member applies to join the alliance."""
    form = JoinForm()
    if not form.validate_on_submit():
        return render_template("public/join.html", form=form), 400 if form.is_submitted() else 200
    membership.apply_for_membership(
        db.session,
        organisation=form.organisation.data,
        website=form.website.data,
        cluster=form.cluster.data,
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        message=form.message.data,
        language=str(get_locale()),
    )
    db.session.commit()
    flash(_("Vielen Dank! Ihr Antrag ist bei der Redaktion eingegangen."), "info")
    return redirect(url_for("public.join_thanks"))


@bp.get("/join/thanks")
def join_thanks() -> str:
    """What happens after an application was sent."""
    return render_template("public/join.html", form=None)


# When the statement was last reviewed against the pages; update it with every new review.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 21)


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    """The accessibility statement (Erklärung zur Barrierefreiheit) with its feedback contact."""
    # The feedback contact is the ACCESSIBILITY_CONTACT setting, read by the template.
    return render_template("public/accessibility.html", statement_date=ACCESSIBILITY_STATEMENT_DATE)
