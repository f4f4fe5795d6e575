"""Joining the alliance: the public application form, and the editors' accept or decline."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from catalogue import accounts
from catalogue.extensions import db
from catalogue.mail import Mail
from catalogue.models import MembershipApplication, Partner, User, VocabularyTerm

EDITOR = "redaktion@example.org"
PARTNER = "partner@example.org"
VALID = {
    "organisation": "Tüftelwerk Eppingen e. V.",
    "website": "https://tueftelwerk.example.org",
    "cluster": "schools-learning-places",
    "contact_name": "Ada Muster",
    "contact_email": "Ada.Muster@Example.org ",
    "message": "Wir bieten eine Robotik-AG für Grundschulkinder an.",
}


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/join").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)


def post(client: FlaskClient, path: str, data: dict[str, str]):
    """A POST with the session's CSRF token, as the page's own form sends it."""
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


@pytest.fixture
def visitor(app: Flask) -> FlaskClient:
    """An anonymous client of the test's own catalogue."""
    return app.test_client()


@pytest.fixture
def editor(app: Flask, log_in: Callable[[FlaskClient, str], FlaskClient]) -> FlaskClient:
    """A client of the test's own catalogue, logged in as the demo editor."""
    return log_in(app.test_client(), EDITOR)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def sent(app: Flask) -> list[Mail]:
    """Every mail the app sends, instead of sending it."""
    mails: list[Mail] = []
    app.extensions["mail_sender"] = mails.append
    return mails


def apply(app: Flask, **changes: str | None) -> int:
    """An application as the join form makes it; returns its id."""
    fields = {**VALID, **changes}
    with app.app_context():
        application = MembershipApplication(
            organisation=fields["organisation"],
            contact_name=fields["contact_name"],
            contact_email=fields["contact_email"].strip().lower(),
        )
        db.session.add(application)
        db.session.commit()
        return application.id


def test_join_page_offers_a_labelled_form(visitor: FlaskClient) -> None:
    response = visitor.get("/join")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1>") == 1
    for name in ("organisation", "website", "cluster", "contact_name", "contact_email", "message"):
        assert f'<label for="{name}"' in page
    assert "<legend>Ihre Organisation</legend>" in page
    assert 'value="science-research"' in page
    assert 'name="csrf_token"' in page


def test_join_records_a_pending_application(app: Flask, visitor: FlaskClient) -> None:
    response = post(visitor, "/join", VALID)
    assert response.status_code == 302
    assert response.headers["Location"] == "/join/thanks"
    assert "Vielen Dank für Ihren Antrag" in visitor.get("/join/thanks").get_data(as_text=True)
    with app.app_context():
        application = db.session.execute(select(MembershipApplication)).scalar_one()
        assert application.status == "pending"
        assert application.organisation == VALID["organisation"]
        assert application.contact_email == "ada.muster@example.org"
        assert application.cluster.slug == "schools-learning-places"
        assert application.website == VALID["website"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisation", "  ", "Bitte geben Sie den Namen Ihrer Organisation an."),
        ("organisation", "x" * 201, "Höchstens 200 Zeichen."),
        ("website", "www.example.org", "mit http:// oder https:// beginnt"),
        ("website", "javascript:alert(1)", "mit http:// oder https:// beginnt"),
        ("cluster", "gibt-es-nicht", "Bitte wählen Sie einen der angebotenen Cluster."),
        ("contact_name", "", "Bitte geben Sie eine Kontaktperson an."),
        ("contact_email", "", "Bitte geben Sie eine E-Mail-Adresse an."),
        ("contact_email", "ada-at-example.org", "Bitte eine gültige E-Mail-Adresse angeben"),
        ("message", "x" * 2001, "Höchstens 2000 Zeichen."),
    ],
)
def test_join_explains_bad_input_next_to_the_field_and_records_nothing(
    app: Flask, visitor: FlaskClient, field: str, value: str, message: str
) -> None:
    response = post(visitor, "/join", {**VALID, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    error = re.search(rf'<p class="[^"]*field-error[^"]*" id="{field}-error">', page)
    assert error, page
    assert re.search(rf'aria-describedby="[^"]*{field}-error"[^>]*aria-invalid="true"', page)
    assert count(app, MembershipApplication) == 0


def test_join_without_optional_fields_is_fine(app: Flask, visitor: FlaskClient) -> None:
    data = {**VALID, "website": "", "cluster": "", "message": ""}
    assert post(visitor, "/join", data).status_code == 302
    with app.app_context():
        application = db.session.execute(select(MembershipApplication)).scalar_one()
        assert (application.website, application.cluster, application.message) == (None, None, "")


def test_join_without_csrf_token_answers_400_and_records_nothing(
    app: Flask, visitor: FlaskClient
) -> None:
    assert visitor.post("/join", data=VALID).status_code == 400
    assert count(app, MembershipApplication) == 0


def test_editors_see_pending_applications(app: Flask, editor: FlaskClient) -> None:
    application_id = apply(app)
    page = editor.get("/moderation/applications").get_data(as_text=True)
    assert VALID["organisation"] in page and "ada.muster@example.org" in page
    assert f'action="/moderation/applications/{application_id}/accept"' in page
    assert f'id="accept-{application_id}-cluster"' in page


def test_accept_creates_the_partner_and_its_user_and_mails_a_set_password_link(
    app: Flask, editor: FlaskClient, sent: list[Mail]
) -> None:
    application_id = apply(app)
    response = post(
        editor,
        f"/moderation/applications/{application_id}/accept",
        {f"accept-{application_id}-cluster": "labour-market"},
    )
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(MembershipApplication, application_id)
        partner = db.session.execute(
            select(Partner).where(Partner.name == VALID["organisation"])
        ).scalar_one()
        user = db.session.execute(
            select(User).where(User.email == "ada.muster@example.org")
        ).scalar_one()
        assert (application.status, application.partner_id) == ("accepted", partner.id)
        assert application.decided_by.email == EDITOR
        assert (partner.slug, partner.cluster.slug) == ("tueftelwerk-eppingen-e-v", "labour-market")
        assert not partner.is_founding_member
        assert (user.role, user.partner_id, user.password_hash) == ("partner", partner.id, None)
        user_id = user.id
    [mail] = sent
    assert mail.to == "ada.muster@example.org"
    link = re.search(r"https?://\S+", mail.body).group(0)
    token = urlsplit(link).path.rsplit("/", 1)[-1]
    with app.app_context():
        assert accounts.user_for_set_password_token(db.session, token).id == user_id
    assert app.test_client().get(urlsplit(link).path).status_code == 200


def test_accept_keeps_the_organisations_cluster_and_makes_the_slug_unique(
    app: Flask, editor: FlaskClient, sent: list[Mail]
) -> None:
    application_id = apply(app, organisation="experimenta")
    with app.app_context():
        application = db.session.get(MembershipApplication, application_id)
        application.cluster = db.session.execute(
            select(VocabularyTerm).where(VocabularyTerm.slug == "science-research")
        ).scalar_one()
        db.session.commit()
    page = editor.get("/moderation/applications").get_data(as_text=True)
    selected = re.search(r'<option selected value="([^"]+)"', page)
    assert selected and selected.group(1) == "science-research"
    post(
        editor,
        f"/moderation/applications/{application_id}/accept",
        {f"accept-{application_id}-cluster": selected.group(1)},
    )
    with app.app_context():
        partner = db.session.get(MembershipApplication, application_id).partner
        assert (partner.slug, partner.cluster.slug) == ("experimenta-2", "science-research")


def test_accept_needs_a_cluster(app: Flask, editor: FlaskClient, sent: list[Mail]) -> None:
    application_id = apply(app)
    partners = count(app, Partner)
    response = post(
        editor,
        f"/moderation/applications/{application_id}/accept",
        {f"accept-{application_id}-cluster": ""},
    )
    assert response.status_code == 400
    assert "Bitte wählen Sie einen Cluster." in response.get_data(as_text=True)
    assert (count(app, Partner), sent) == (partners, [])


def test_accept_refuses_a_contact_who_already_has_an_account(
    app: Flask, editor: FlaskClient, sent: list[Mail]
) -> None:
    application_id = apply(app, contact_email=PARTNER)
    partners, users = count(app, Partner), count(app, User)
    response = post(
        editor,
        f"/moderation/applications/{application_id}/accept",
        {f"accept-{application_id}-cluster": "labour-market"},
    )
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "gibt es bereits ein Konto" in page
    assert (count(app, Partner), count(app, User), sent) == (partners, users, [])
    with app.app_context():
        assert db.session.get(MembershipApplication, application_id).status == "pending"


def test_a_mail_that_cannot_be_sent_leaves_the_application_open(
    app: Flask, editor: FlaskClient
) -> None:
    def refuse(mail: Mail) -> None:
        raise ConnectionRefusedError("no mail server")

    app.extensions["mail_sender"] = refuse
    application_id = apply(app)
    partners, users = count(app, Partner), count(app, User)
    response = post(
        editor,
        f"/moderation/applications/{application_id}/accept",
        {f"accept-{application_id}-cluster": "labour-market"},
    )
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "konnte nicht verschickt werden" in page
    assert (count(app, Partner), count(app, User)) == (partners, users)
    with app.app_context():
        assert db.session.get(MembershipApplication, application_id).status == "pending"


def test_decline_stores_the_reason_and_tells_the_contact(
    app: Flask, editor: FlaskClient, sent: list[Mail]
) -> None:
    application_id = apply(app)
    partners = count(app, Partner)
    reason = "Ihre Angebote liegen außerhalb der Region Heilbronn."
    response = post(
        editor,
        f"/moderation/applications/{application_id}/decline",
        {f"decline-{application_id}-reason": reason},
    )
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(MembershipApplication, application_id)
        assert (application.status, application.reason) == ("declined", reason)
        assert application.decided_by.email == EDITOR
    assert count(app, Partner) == partners
    [mail] = sent
    assert mail.to == "ada.muster@example.org" and reason in mail.body
    page = editor.get("/moderation/applications").get_data(as_text=True)
    assert "Zurzeit wartet kein Antrag" in page and reason in page


def test_decline_needs_a_reason(app: Flask, editor: FlaskClient, sent: list[Mail]) -> None:
    application_id = apply(app)
    response = post(
        editor,
        f"/moderation/applications/{application_id}/decline",
        {f"decline-{application_id}-reason": "  "},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte geben Sie eine Begründung an." in page
    assert f'aria-describedby="decline-{application_id}-reason-error"' in page
    assert sent == []
    with app.app_context():
        assert db.session.get(MembershipApplication, application_id).status == "pending"


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_a_decided_application_cannot_be_decided_again(
    app: Flask, editor: FlaskClient, sent: list[Mail], decision: str
) -> None:
    application_id = apply(app)
    data = {
        f"accept-{application_id}-cluster": "labour-market",
        f"decline-{application_id}-reason": "Doppelt eingereicht.",
    }
    post(editor, f"/moderation/applications/{application_id}/decline", data)
    response = post(editor, f"/moderation/applications/{application_id}/{decision}", data)
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "bereits entschieden" in page
    assert len(sent) == 1
    with app.app_context():
        assert db.session.get(MembershipApplication, application_id).status == "declined"


def test_unknown_application_answers_404(editor: FlaskClient) -> None:
    assert editor.get("/moderation/applications").status_code == 200
    response = post(editor, "/moderation/applications/999/decline", {"decline-999-reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("applied_in", "editor_reads", "subject"),
    [
        ("en", "de", "Your application to the Zukunftsallianz MINT-Region Heilbronn"),
        ("de", "en", "Ihr Antrag bei der Zukunftsallianz MINT-Region Heilbronn"),
    ],
)
def test_the_decision_mail_speaks_the_language_the_applicant_used(
    app: Flask,
    visitor: FlaskClient,
    editor: FlaskClient,
    sent: list[Mail],
    applied_in: str,
    editor_reads: str,
    subject: str,
) -> None:
    visitor.get(f"/join?lang={applied_in}")
    assert post(visitor, "/join", VALID).status_code == 302
    with app.app_context():
        application = db.session.execute(select(MembershipApplication)).scalars().all()[-1]
        assert application.language == applied_in
        application_id = application.id
    editor.get(f"/moderation/applications?lang={editor_reads}")
    response = post(
        editor,
        f"/moderation/applications/{application_id}/decline",
        {f"decline-{application_id}-reason": "Außerhalb der Region."},
    )
    assert response.status_code == 302
    [mail] = sent
    assert mail.subject == subject
