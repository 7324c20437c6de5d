"""The pages' languages: which one a request gets (?lang=, then the cookie the switcher sets, then the browser's
Accept-Language), its direction, and the switcher's links. Catalogs live in translations/ (see the README)."""
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from flask import g, request
from flask_babel import Babel, format_date, get_translations
from jinja2 import pass_context
from markupsafe import Markup

TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "translations"
# The shipped languages, each named in its own script (the switcher shows these names).
LANGUAGES = {"en": "English", "ne": "नेपाली", "bn": "বাংলা", "hi": "हिन्दी", "fil": "Filipino",
             "id": "Bahasa Indonesia", "my": "မြန်မာ", "am": "አማርኛ", "es": "Español", "ar": "العربية"}
DEFAULT = "en"
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600
# Codes browsers send for a shipped language under another name.
SYNONYMS = {"tl": "fil"}

babel = Babel()


def init_app(app):
    """Attach Flask-Babel and remember a language chosen with ?lang= in a cookie."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=language)
    app.after_request(remember_language)
    app.context_processor(lambda: {"language": language(), "direction": direction(language()),
                                   "languages": LANGUAGES, "switch_url": switch_url, **page_gettext()})
    app.jinja_env.filters.update(day=local_day, country=country_name, bdi=isolate)


def page_gettext():
    """gettext and ngettext for one page, bound to its catalog once: the templates' `_()` resolves them from the
    page's context, and Flask-Babel's own look the catalog up again at each of a page's dozens of strings.
    They behave as Jinja's newstyle gettext: the result is escaped markup, %(name)s filled from the arguments."""
    catalog = get_translations()

    @pass_context
    def gettext(context, string, **variables):
        text = catalog.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = catalog.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}


def known(code):
    """The shipped language a code names (en-GB -> en, tl -> fil), or None."""
    if not code:
        return None
    code = code.strip().replace("_", "-").lower()
    base = SYNONYMS.get(code.split("-")[0], code.split("-")[0])
    return base if base in LANGUAGES else None


def language():
    """The request's language: ?lang=, the cookie, then the best of Accept-Language, else English."""
    if "language" not in g:
        chosen = known(request.args.get("lang")) or known(request.cookies.get(COOKIE))
        if chosen is None:
            offered = [(known(code), quality) for code, quality in request.accept_languages]
            chosen = max((pair for pair in offered if pair[0]), key=lambda pair: pair[1], default=(DEFAULT, 0))[0]
        g.language = chosen
    return g.language


@lru_cache(maxsize=None)
def locale(code):
    """The Babel locale of a shipped language (parsed once: pages ask for it at every country name)."""
    return Locale.parse(code)


def direction(code):
    """"rtl" for languages written right to left, else "ltr"."""
    return locale(code).text_direction


def country_name(code):
    """A country's name in the request's language (the code itself when unknown)."""
    return locale(language()).territories.get((code or "").upper(), code)


def local_day(value, form="long"):
    """A date (or ISO date text) written the way the request's language writes dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, form)


def isolate(text):
    """Text from the records (a Latin name in an Arabic sentence...) kept in its own direction: <bdi>."""
    return Markup("<bdi>%s</bdi>") % text


def switch_url(code):
    """The current page in another language (a plain link: the switcher needs no script)."""
    args = request.args.to_dict()
    args["lang"] = code
    return request.path + "?" + urlencode(args)


def remember_language(response):
    """A language picked with ?lang= is kept in a cookie; pages vary by the cookie and Accept-Language."""
    chosen = known(request.args.get("lang"))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = g.get("language", DEFAULT)
        response.vary.update(("Cookie", "Accept-Language"))
    return response
