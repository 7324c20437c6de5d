"""Default settings; each can be overridden by an environment variable of the same name."""
import os

# Where the data lives; unset means a SQLite file under instance/.
DATABASE_URL = None
# Signs session cookies and CSRF tokens. Unset: development makes a random one into instance/secret_key on the
# first start and reuses it; production refuses to start without a real one.
SECRET_KEY = None
# "development" or "production"; production insists on a real SECRET_KEY and secure cookies.
FAIRRECRUIT_ENV = "development"
# "text" (key=value lines) or "json" (one JSON object a line, for log shippers).
LOG_FORMAT = "text"
LOG_LEVEL = "INFO"
# Largest request body anywhere (bulk imports); ordinary JSON endpoints get JSON_MAX_BYTES.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
JSON_MAX_BYTES = 1024 * 1024
# Default and largest page size of list endpoints.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Where sign-in and token attempts are counted: "memory://" (one process) or e.g. "redis://127.0.0.1:6379" to
# share the counts between processes and hosts.
RATELIMIT_STORAGE_URI = "memory://"
# How many reverse proxies (load balancer, nginx) stand in front and append to X-Forwarded-For; 0 trusts none.
# Rate limits per client address need it: otherwise every request comes from the proxy's address.
PROXY_HOPS = 0
# XLSX uploads are refused before they are opened when they unpack to more than this many bytes or a sheet
# has more rows (a few hundred KB of zip can cost a minute of CPU in the spreadsheet reader). Larger files: CSV.
XLSX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
XLSX_MAX_ROWS = 100_000
# Watchlist hits at or above this score (0 to 1) wait for review; bench/eval_matching.py measures it.
SCREENING_THRESHOLD = 0.8

API_TITLE = "FairRecruit API"
API_VERSION = "v1"
OPENAPI_VERSION = "3.0.3"
OPENAPI_URL_PREFIX = "/api"
OPENAPI_JSON_PATH = "openapi.json"
OPENAPI_SWAGGER_UI_PATH = "/docs"
# Swagger UI is served from the swagger-ui-bundle package, so the docs work without internet.
OPENAPI_SWAGGER_UI_URL = "/api/docs/static/"
API_SPEC_OPTIONS = {
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}, {}],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None

ENV_SETTINGS = (
    "DATABASE_URL", "SECRET_KEY", "FAIRRECRUIT_ENV", "LOG_FORMAT", "LOG_LEVEL",
    "MAX_CONTENT_LENGTH", "JSON_MAX_BYTES", "PAGE_SIZE", "MAX_PAGE_SIZE", "SCREENING_THRESHOLD",
    "RATELIMIT_STORAGE_URI", "PROXY_HOPS", "XLSX_MAX_UNCOMPRESSED_BYTES", "XLSX_MAX_ROWS",
)
# The old fixed development key stays refused: cookies signed with it were forgeable by anyone.
PLACEHOLDER_SECRETS = {"", "dev-only-not-secret", "change-me", "secret"}


def from_environment(environ=os.environ):
    """Return the settings found in the environment, integers parsed."""
    found = {}
    for name in ENV_SETTINGS:
        if name in environ:
            value = environ[name]
            default = globals()[name]
            found[name] = type(default)(value) if isinstance(default, (int, float)) else value
    return found


def check(config):
    """Refuse settings that are unsafe for the chosen environment, or out of range."""
    if not 0 < config["SCREENING_THRESHOLD"] <= 1:
        raise RuntimeError(f"SCREENING_THRESHOLD must be above 0 and at most 1, not {config['SCREENING_THRESHOLD']}")
    if config["FAIRRECRUIT_ENV"] == "production":
        secret = config.get("SECRET_KEY") or ""
        if secret in PLACEHOLDER_SECRETS or len(secret) < 32:
            raise RuntimeError(
                "FAIRRECRUIT_ENV=production needs SECRET_KEY set to a random value of 32 characters or more"
            )
        config["SESSION_COOKIE_SECURE"] = True
