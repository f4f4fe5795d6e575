"""The watchlist ("Merkliste"): kept in the visitor's browser, shared as offer slugs in a URL.

The server stores nothing; it only renders the published offers a link names. Anything in the
parameter that is not a well-formed slug is dropped, and at most `MAX_WATCHLIST` slugs are read, so
no link, however long or odd, costs more than one small query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.models import Offer, offer_list_options
from catalogue.offer_records import is_well_formed_slug

WATCHLIST_PARAM = "angebote"
MAX_WATCHLIST = 50


@dataclass(frozen=True)
class WatchlistRequest:
    """The slugs a watchlist link asks for, in its order, without repeats."""

    slugs: tuple[str, ...]
    is_truncated: bool  # the link named more than MAX_WATCHLIST slugs


def parse_watchlist(values: Iterable[str]) -> WatchlistRequest:
    """The well-formed slugs in comma-separated parameter values; the rest is dropped silently."""
    slugs: list[str] = []
    for value in values:
        for part in value.split(","):
            slug = part.strip().lower()
            if not is_well_formed_slug(slug) or slug in slugs:
                continue
            if len(slugs) == MAX_WATCHLIST:
                return WatchlistRequest(tuple(slugs), is_truncated=True)
            slugs.append(slug)
    return WatchlistRequest(tuple(slugs), is_truncated=False)


def published_offers(session: Session, slugs: Iterable[str]) -> list[Offer]:
    """The published offers among `slugs`, in the given order; the others are left out."""
    wanted = list(slugs)
    if not wanted:
        return []
    found = {
        offer.slug: offer
        for offer in session.execute(
            select(Offer)
            .where(Offer.slug.in_(wanted), Offer.status == "published")
            .options(*offer_list_options())
        )
        .unique()
        .scalars()
    }
    return [found[slug] for slug in wanted if slug in found]
