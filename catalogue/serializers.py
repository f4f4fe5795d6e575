"""Offers, partners and the vocabulary as the JSON API's plain data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalogue.models import FACETS, Offer, Partner
from catalogue.rendering import render_markdown
from catalogue.schedules import next_start
from catalogue.templating import external_url
from catalogue.timeutil import to_local
from catalogue.vocabulary import Vocabulary


def _iso(moment: dt.datetime | None) -> str | None:
    return to_local(moment).isoformat() if moment else None


def _price(offer: Offer) -> float | None:
    return None if offer.is_free or offer.price_eur is None else float(offer.price_eur)


def offer_summary(offer: Offer, highlight: str = "") -> dict[str, Any]:
    """One search result."""
    upcoming = next_start(offer)
    return {
        "slug": offer.slug,
        "title": offer.title,
        "summary": offer.summary,
        "url": external_url("public.offer_detail", slug=offer.slug),
        "partner": {"slug": offer.partner.slug, "name": offer.partner.name},
        "stages": [t.slug for t in offer.terms_of("stage")],
        "subjects": [t.slug for t in offer.terms_of("subject")],
        "formats": [t.slug for t in offer.terms_of("format")],
        "audiences": [t.slug for t in offer.terms_of("audience")],
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "mode": offer.mode.slug,
        "district": offer.district.slug,
        "municipality": offer.municipality,
        "free": offer.is_free,
        "price_eur": _price(offer),
        "next_date": upcoming.isoformat() if upcoming else None,
        "highlight": highlight,
    }


def schedule_data(offer: Offer) -> dict[str, Any]:
    if offer.schedule_kind == "dated":
        return {
            "kind": "dated",
            "sessions": [
                {"start": _iso(s.starts_at), "end": _iso(s.ends_at)} for s in offer.sessions
            ],
            "description": offer.schedule_note,
        }
    if offer.schedule_kind == "recurring":
        return {
            "kind": "recurring",
            "rrule": offer.rrule,
            "first_start": _iso(offer.recurrence_start),
            "duration_minutes": offer.duration_minutes,
            "description": offer.schedule_note,
        }
    return {"kind": "on-request", "description": offer.schedule_note}


def offer_full(offer: Offer) -> dict[str, Any]:
    """Everything public about one offer; also the shape `offers import` reads."""
    data = offer_summary(offer)
    del data["highlight"]
    data.update(
        description=offer.description,
        description_html=str(render_markdown(offer.description)),
        venue=offer.venue,
        address=offer.address,
        lat=offer.lat,
        lon=offer.lon,
        schedule=schedule_data(offer),
        registration_deadline=offer.registration_deadline.isoformat()
        if offer.registration_deadline
        else None,
        group_size_min=offer.group_size_min,
        group_size_max=offer.group_size_max,
        cost={"free": offer.is_free, "price_eur": _price(offer), "note": offer.cost_note},
        languages=offer.language_codes,
        accessibility_note=offer.accessibility_note,
        registration_url=offer.registration_url,
        contact_email=offer.contact_email,
        contact_phone=offer.contact_phone,
        last_verified=offer.last_verified.isoformat() if offer.last_verified else None,
        updated_at=_iso(offer.updated_at),
        demo=offer.is_demo,
    )
    return data


def partner_data(partner: Partner, offer_count: int) -> dict[str, Any]:
    return {
        "slug": partner.slug,
        "name": partner.name,
        "short_name": partner.short_name,
        "cluster": partner.cluster.slug,
        "founding_member": partner.is_founding_member,
        "website": partner.website,
        "description": partner.description,
        "address": {
            "street": partner.street,
            "postal_code": partner.postal_code,
            "city": partner.city,
        }
        if partner.city
        else None,
        "url": external_url("public.partner_detail", slug=partner.slug),
        "offer_count": offer_count,
    }


def taxonomy_data(vocabulary: Vocabulary) -> dict[str, Any]:
    """Every facet of the vocabulary with its terms, as `/api/v1/taxonomy` lists them."""
    return {
        facet: [
            {
                "value": term.slug,
                "label": {"de": term.label_de, "en": term.label_en},
                **({"parent": term.parent} if facet == "subject" else {}),
                **(
                    {"age_min": term.age_min, "age_max": term.age_max, "kim_level": term.kim_level}
                    if facet == "stage"
                    else {}
                ),
            }
            for term in vocabulary.terms(facet)
        ]
        for facet in FACETS
    }
