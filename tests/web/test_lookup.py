"""The public lookup through the test client: search by name (typos and all) or licence number (any digits,
any separators), what a search that finds nothing says, and the agency page in plain words, public data only."""
from datetime import date
import io
import re

import pytest
import segno

from app.accounts.cli import OPERATOR
from app.registry import expiry, private, service as registry
from app.registry.models import Authority
from app.registry.names import licence_key


@pytest.fixture
def agency(make_agency, authority, session):
    """A licensed Nepali agency with an owner, a private note and a public and an internal status reason."""
    authority.website, authority.phone = "https://dofe.example.gov.np", "+977 1 4000000"
    authority.email, authority.fee_law = "info@dofe.example", "At most NPR 10,000 for the agency's service."
    session.commit()
    return make_agency(legal_name="Shikhar Overseas Pvt. Ltd.", sectors=["construction", "hospitality"],
                       people=[{"name": "Hidden Owner Name", "role": "owner"}],
                       licences=[{"authority": authority.code, "number": "100/076/77", "type": "full",
                                  "status": "valid", "valid_until": date(2030, 3, 31), "destinations": ["QA", "AE"],
                                  "sectors": ["construction"]}])


def page(client, path):
    """The page's HTML, without the <bdi> marks that keep record text in its own direction."""
    response = client.get(path)
    assert response.status_code == 200, path
    return re.sub(r"</?bdi>", "", response.get_data(as_text=True))


@pytest.mark.parametrize("typed", ["100/076/77", "100-076-77", "100 076 77", "10007677", "१००/०७६/७७",
                                   "১০০/০৭৬/৭৭", "١٠٠/٠٧٦/٧٧", "۱۰۰-۰۷۶-۷۷", "၁၀၀/၀၇၆/၇၇"])
def test_a_licence_number_is_found_in_any_digits_and_with_any_separators(client, agency, typed):
    html = page(client, f"/search?q={typed}")
    assert "Found by licence number." in html and f'href="/agencies/{agency.id}"' in html


def test_licence_keys_read_every_script_of_digits_as_latin():
    assert licence_key("१००/०७६/७७") == licence_key("100-076-77") == "10007677"
    assert licence_key("POEA-123 / 2024") == "POEA1232024"


def test_a_misspelt_name_finds_the_agency(client, agency, make_agency):
    make_agency(legal_name="Everest Manpower Services Pvt. Ltd.")
    for typed in ("shikhar", "Shikar Overseas", "shikhar oversees"):
        html = page(client, f"/search?q={typed}")
        assert f'href="/agencies/{agency.id}"' in html and "Everest" not in html, typed


def test_nothing_found_suggests_near_names_and_says_what_to_do(client, agency):
    html = page(client, "/search?q=Sikhr+Ovrsis+Nepal+Agency")
    assert "No agency found" in html and "What to do" in html and "the agency may not be licensed" in html
    suggestions = re.search(r'<ul id="suggestions">(.*?)</ul>', html, re.S)
    assert suggestions and "Shikhar Overseas Pvt. Ltd." in suggestions.group(1)
    nothing = page(client, "/search?q=zzqx")
    assert "No agency found" in nothing and 'id="suggestions"' not in nothing


def test_an_empty_or_huge_search_is_answered_plainly(client, agency):
    assert "Type an agency's name or its licence number." in page(client, "/search?q=")
    assert "No agency found" in page(client, "/search?q=" + "x" * 5000)
    assert page(client, "/search?q=shikhar&page=-3")


def test_the_agency_page_says_in_plain_words_who_licenses_it_until_when(client, agency, authority):
    html = page(client, f"/agencies/{agency.id}")
    standing = re.search(r'<p id="standing"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Licensed by Department of Foreign Employment until March 31, 2030." in standing
    assert "Qatar" in html and "United Arab Emirates" in html and "hotels and restaurants" in html
    assert "You should not pay any recruitment fee." in html and "At most NPR 10,000" in html
    assert 'href="https://dofe.example.gov.np"' in html and 'href="tel:+97714000000"' in html
    assert 'href="mailto:info@dofe.example"' in html
    assert f'href="/report?agency={agency.id}"' in html   # the report form, with this agency named
    assert f'http://localhost/a/{agency.id}' in html and f'src="/a/{agency.id}/qr.svg"' in html
    short = page(client, f"/a/{agency.id}")   # the short link is the same page
    assert short.replace(f"/a/{agency.id}?lang", f"/agencies/{agency.id}?lang") == html


def test_the_qr_code_is_an_image_of_the_short_link_that_browsers_keep(client, agency, make_agency):
    image = client.get(f"/a/{agency.id}/qr.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert image.data.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in image.data
    assert image.headers["Cache-Control"] == "public, max-age=604800"
    employer = make_agency(kind="employer", legal_name="Doha Towers W.L.L.", licences=[], country="QA")
    assert client.get(f"/a/{employer.id}/qr.svg").status_code == 404
    # The image is the QR code of the short link itself (no decoder here: the same text encodes the same code).
    segno_image = io.BytesIO()
    segno.make(f"http://localhost/a/{agency.id}", error="m").save(segno_image, kind="svg", scale=4, dark="#000",
                                                                  light="#fff", lineclass=None, xmldecl=False,
                                                                  nl=False)
    assert segno_image.getvalue() == image.data


def test_the_agency_page_shows_public_data_only(client, agency, authority, make_user, session):
    licence = agency.licences[0]
    registry.change_licence_status(session, OPERATOR, licence.id, {
        "version": licence.version, "status": "suspended", "effective_on": date(2026, 5, 1),
        "reason": "internal: complaint file 2026/14", "reason_public": False})
    analyst = make_user("analyst")
    from app.accounts.auth import actor_for
    private.add_note(session, actor_for(session, analyst), agency.id, "Private note about receipts")
    session.commit()
    html = page(client, f"/agencies/{agency.id}")
    assert "Not licensed now: Department of Foreign Employment suspended the licence on May 1, 2026." in html
    assert "Do not pay this agency or give it your passport." in html
    for private_text in ("Hidden Owner Name", "complaint file", "Private note"):
        assert private_text not in html


@pytest.mark.parametrize("status, sentence", [
    ("revoked", "Not licensed: Department of Foreign Employment revoked the licence on June 2, 2026."),
    ("banned", "Banned: Department of Foreign Employment banned this agency on June 2, 2026."),
    ("cancelled", "Not licensed: Department of Foreign Employment cancelled the licence on June 2, 2026.")])
def test_a_lost_licence_says_what_happened_and_when(client, agency, session, status, sentence):
    licence = agency.licences[0]
    registry.change_licence_status(session, OPERATOR, licence.id, {
        "version": licence.version, "status": status, "effective_on": date(2026, 6, 2)})
    session.commit()
    assert sentence in page(client, f"/agencies/{agency.id}")


def test_a_licence_past_its_end_reads_expired_on_its_last_day(client, agency, monkeypatch):
    monkeypatch.setattr(expiry, "today", lambda: date(2030, 4, 2))
    html = page(client, f"/agencies/{agency.id}")
    assert "Not licensed: the licence from Department of Foreign Employment expired on March 31, 2030." in html


def test_an_agency_without_licence_is_said_to_have_none(client, make_agency):
    bare = make_agency(legal_name="Unlicensed Recruiters", licences=[])
    html = page(client, f"/agencies/{bare.id}")
    assert "No licence on record." in html and "No licensing authority is on record" in html
    assert "no licence on record" in page(client, "/search?q=Unlicensed+Recruiters")


def test_withdrawn_agencies_and_employers_have_no_public_page(client, agency, make_agency, session):
    employer = make_agency(kind="employer", legal_name="Doha Towers W.L.L.", licences=[], country="QA")
    assert client.get(f"/agencies/{employer.id}").status_code == 404
    registry.withdraw_entity(session, OPERATOR, agency.id, reason="duplicate")
    session.commit()
    gone = client.get(f"/agencies/{agency.id}")
    assert gone.status_code == 404 and gone.mimetype == "text/html"
    assert client.get(f"/a/{agency.id}").status_code == 404
    assert "Shikhar" not in page(client, "/search?q=shikhar")


def test_public_pages_are_cached_by_language_and_their_files_for_a_year(client, agency):
    response = client.get(f"/agencies/{agency.id}")
    assert "Cache-Control" not in response.headers and "Set-Cookie" not in response.headers
    css = re.search(r'href="(/static/fairrecruit.css\?v=\w+)"', response.get_data(as_text=True)).group(1)
    with client.get(css) as static:
        assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/fairrecruit.css") as unversioned:
        assert unversioned.headers["Cache-Control"] == "public, max-age=3600"


def test_authorities_take_contact_details_and_fee_law_and_refuse_bad_ones(client, make_token, session):
    admin = make_token("admin", kind="platform")
    created = client.post("/api/v1/authorities", headers=admin, json={
        "code": "QA-MOL", "name": "Ministry of Labour", "country": "QA", "website": "https://mol.example.qa",
        "phone": "+974 4000 0000", "email": "licensing@mol.example.qa", "fee_law": "Workers pay no fee."})
    assert created.status_code == 201 and created.json["fee_law"] == "Workers pay no fee."
    bad = client.post("/api/v1/authorities", headers=admin, json={
        "code": "QA-MOL2", "name": "Ministry", "country": "QA", "website": "javascript:alert(1)",
        "email": "not an address"})
    assert bad.status_code == 422 and {"website", "email"} <= set(bad.json["errors"])
    assert session.query(Authority).filter_by(code="QA-MOL2").count() == 0
