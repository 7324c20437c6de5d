"""The pages' languages: every shipped catalog translates every message of the code and templates, and a request
gets its language from ?lang=, then the switcher's cookie, then Accept-Language."""
from pathlib import Path
import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
import pytest

from app.web.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages():
    """Every message id the code and templates ask gettext for, extracted as `make messages` does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def messages():
    return source_messages()


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_shipped_language_translates_every_message(language, messages):
    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{language}: no catalog at {path}"
    with open(path, "rb") as po:
        catalog = read_po(po, locale=language)
    problems = []
    for message, where in messages.items():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        if entry is None:
            problems.append(f"missing ({where}): {key!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if not all(strings) or len(strings) != (catalog.num_plurals if entry.pluralizable else 1):
            problems.append(f"untranslated: {key!r}")
        wanted = set(PLACEHOLDER.findall(key)) - {"num"}
        if any(set(PLACEHOLDER.findall(s)) - {"num"} != wanted for s in strings if s):
            problems.append(f"placeholders differ: {key!r}")
    assert problems == [], f"{language}: run `make messages` and translate:\n" + "\n".join(problems)


def test_each_compiled_catalog_is_newer_than_its_source():
    for code in LANGUAGES:
        po = CATALOGS / code / "LC_MESSAGES" / "messages.po"
        if code == "en":
            continue
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, f"run `make translations` ({mo})"


def test_the_language_comes_from_the_query_then_the_cookie_then_the_browser(client):
    english = client.get("/")
    assert '<html lang="en" dir="ltr">' in english.get_data(as_text=True)
    assert english.headers["Content-Language"] == "en"
    assert {"Cookie", "Accept-Language"} <= set(english.vary)

    browser = client.get("/", headers={"Accept-Language": "fr;q=0.9, ne-NP;q=0.8, en;q=0.5"})
    assert '<html lang="ne"' in browser.get_data(as_text=True) and "एजेन्सी" in browser.get_data(as_text=True)
    assert "Set-Cookie" not in browser.headers   # only a choice made with the switcher is remembered

    chosen = client.get("/?lang=bn", headers={"Accept-Language": "ne"})
    assert '<html lang="bn"' in chosen.get_data(as_text=True)
    assert "lang=bn" in chosen.headers["Set-Cookie"]
    remembered = client.get("/search?q=x", headers={"Accept-Language": "ne"})
    assert '<html lang="bn"' in remembered.get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in client.get("/?lang=ar").get_data(as_text=True)
    unknown = client.get("/?lang=xx", headers={"Accept-Language": "xx"})
    assert '<html lang="ar"' in unknown.get_data(as_text=True)   # an unknown code keeps the chosen one


def test_the_switcher_names_each_language_in_its_own_script_and_keeps_the_page(client):
    page = client.get("/search?q=gulf&lang=es").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        assert f'lang="{code}" hreflang="{code}"' in page and f">{name}</a>" in page
    assert 'href="/search?q=gulf&amp;lang=ne"' in page
    assert "<script" not in page


def test_dates_and_numbers_are_written_the_way_the_language_writes_them(client, make_agency, authority):
    from datetime import date
    agency = make_agency(licences=[{"authority": authority.code, "number": "DATE-1", "type": "full",
                                    "status": "valid", "valid_until": date(2027, 3, 31), "destinations": ["QA"],
                                    "sectors": []}])
    assert "31 de marzo de 2027" in client.get(f"/agencies/{agency.id}?lang=es").get_data(as_text=True)
    assert "March 31, 2027" in client.get(f"/agencies/{agency.id}?lang=en").get_data(as_text=True)
    arabic = client.get(f"/agencies/{agency.id}?lang=ar").get_data(as_text=True)
    assert "31 مارس 2027" in arabic and "قطر" in arabic   # the destination's name in Arabic too


def test_console_messages_follow_the_language(client):
    refused = client.post("/login?lang=es", data={"email": "nobody@example.org", "password": "x" * 12,
                                                  "csrf_token": csrf(client)})
    assert "no corresponden a ninguna cuenta activa" in refused.get_data(as_text=True)


def csrf(client):
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_plurals_follow_the_language(app):
    from flask import render_template_string
    days = '{{ ngettext("overdue by %(num)s day", "overdue by %(num)s days", n) }}'
    with app.test_request_context("/?lang=ar"):
        assert [render_template_string(days, n=n) for n in (1, 2, 5, 11)] == [
            "متأخر يومًا واحدًا", "متأخر يومين", "متأخر 5 أيام", "متأخر 11 يومًا"]
    with app.test_request_context("/?lang=en"):
        assert render_template_string(days, n=1) == "overdue by 1 day"
        assert render_template_string('{{ _("Fix: %(remedy)s", remedy="<b>") }}') == "Fix: &lt;b&gt;"
