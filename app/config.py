"""Default settings; each can be overridden by an environment variable of the same name."""
import json
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
# Processes that share the searches of a long screening (a new list version's entries against the registry, then
# the entities found, or the whole registry, against the lists): forked from the one screening, they read its name
# indexes (app/forking.py). By default one per core, at most 4.
SCREENING_PROCESSES = min(os.cpu_count() or 1, 4)

# The scheduler (`fairrecruit scheduler`): how often each sweep runs, in seconds ({sweep name: seconds}; JSON in
# the environment, e.g. {"outbox": 10}); unnamed sweeps keep their default (app/audits/sweeps.py).
SCHEDULER_INTERVALS = {}
# A standby scheduler tries to become the leader this often (seconds); the leader checks it still is as often.
SCHEDULER_STANDBY_SECONDS = 5
# Run the scheduler inside `fairrecruit run` (the dev server), in a background thread. None: in development
# only. gunicorn workers never run it: start `fairrecruit scheduler` beside them.
SCHEDULER_IN_PROCESS = None
# SQLite: the file whose exclusive lock makes one scheduler the leader. None: beside the database file.
SCHEDULER_LOCK_FILE = None
# Watchlists the scheduler refreshes: a JSON list of {"name", "format", "kind", "files": URL or path, or a list
# of them; optional "title", "publisher"}. A file is fetched with If-None-Match / If-Modified-Since and a new
# version imported (then screened against the registry) only when the content changed.
WATCHLIST_SOURCES = []
WATCHLIST_FETCH_TIMEOUT = 60
WATCHLIST_FETCH_MAX_BYTES = 200 * 1024 * 1024
# Notifications. E-mail goes through this SMTP server (unset: e-mail deliveries fail and are retried, so
# nothing is lost until one is configured); webhooks are POSTed with an HMAC-SHA256 signature.
SMTP_HOST = None
SMTP_PORT = 25
SMTP_USERNAME = None
SMTP_PASSWORD = None
SMTP_STARTTLS = False
SMTP_FROM = "FairRecruit <notifications@fairrecruit.example>"
# Seconds to wait for a webhook endpoint or the SMTP server.
NOTIFY_TIMEOUT = 10
# A failed delivery is tried again after NOTIFY_BACKOFF_SECONDS, then twice that, four times... (at most
# NOTIFY_BACKOFF_MAX_SECONDS), and is dead (an admin may retry it) after NOTIFY_MAX_ATTEMPTS tries.
NOTIFY_BACKOFF_SECONDS = 60
NOTIFY_BACKOFF_MAX_SECONDS = 6 * 3600
NOTIFY_MAX_ATTEMPTS = 8
# A claimed delivery is left to other processes again after this many seconds (its sender died meanwhile).
NOTIFY_LEASE_SECONDS = 300
# Deliveries claimed at once, and webhooks sent in parallel.
NOTIFY_BATCH = 200
NOTIFY_WORKERS = 8
# Daily digests go out at this hour (UTC) with the events of the day before.
DIGEST_HOUR = 6
# Events whose deliveries are all done are deleted (with them) this many days after they were written; events
# with a dead delivery stay until it is retried or its subscription deleted.
NOTIFY_KEEP_DAYS = 30

# Worker reports. The master keys that wrap each report's data key: JSON {"current": id, "keys": {id: base64 of
# 32 bytes}, "pepper": base64 of 32 bytes}. Unset: instance/report-keys.json (made in development; production
# needs one or the other). `fairrecruit reports rotate-key` makes a new current key and re-wraps every report.
REPORTS_KEYRING = None
# Public figures show a count only where at least this many distinct reporters contributed (5 or more).
REPORTS_MIN_REPORTERS = 5
# Attachments: each at most this many bytes, at most this many to a report (pictures and PDF).
REPORTS_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
REPORTS_MAX_ATTACHMENTS = 5
# Anonymous intake, per client address and per agency named (flask-limiter's notation).
REPORTS_ADDRESS_LIMITS = "5 per hour; 20 per day"
REPORTS_AGENCY_LIMITS = "30 per hour; 200 per day"
# A re-audit is wanted when this many reports about an entity were verified within this many days.
REPORTS_REAUDIT_COUNT = 3
REPORTS_REAUDIT_DAYS = 90

# gunicorn's master keeps the listing and name indexes it built in a file of this folder (unset: instance/
# snapshots), signed with SECRET_KEY, and the next start loads it and catches up instead of building them again
# (app/snapshot.py). SNAPSHOTS false: build at every start and write nothing.
SNAPSHOTS = True
SNAPSHOT_DIR = None

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
    "SCREENING_PROCESSES",
    "RATELIMIT_STORAGE_URI", "PROXY_HOPS", "XLSX_MAX_UNCOMPRESSED_BYTES", "XLSX_MAX_ROWS",
    "SCHEDULER_INTERVALS", "SCHEDULER_STANDBY_SECONDS", "SCHEDULER_IN_PROCESS", "SCHEDULER_LOCK_FILE",
    "WATCHLIST_SOURCES", "WATCHLIST_FETCH_TIMEOUT", "WATCHLIST_FETCH_MAX_BYTES",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM",
    "NOTIFY_TIMEOUT", "NOTIFY_BACKOFF_SECONDS", "NOTIFY_BACKOFF_MAX_SECONDS", "NOTIFY_MAX_ATTEMPTS",
    "NOTIFY_LEASE_SECONDS", "NOTIFY_BATCH", "NOTIFY_WORKERS", "DIGEST_HOUR", "NOTIFY_KEEP_DAYS",
    "REPORTS_KEYRING", "REPORTS_MIN_REPORTERS", "REPORTS_ATTACHMENT_MAX_BYTES", "REPORTS_MAX_ATTACHMENTS",
    "REPORTS_ADDRESS_LIMITS", "REPORTS_AGENCY_LIMITS", "REPORTS_REAUDIT_COUNT", "REPORTS_REAUDIT_DAYS",
    "SNAPSHOTS", "SNAPSHOT_DIR",
)
# Read from the environment as true or false (1/0, yes/no, on/off too).
BOOLEANS = {"SCHEDULER_IN_PROCESS", "SMTP_STARTTLS", "SNAPSHOTS"}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
# The old fixed development key stays refused: cookies signed with it were forgeable by anyone.
PLACEHOLDER_SECRETS = {"", "dev-only-not-secret", "change-me", "secret"}


def from_environment(environ=os.environ):
    """Return the settings found in the environment, integers parsed."""
    found = {}
    for name in ENV_SETTINGS:
        if name in environ:
            found[name] = parsed(name, environ[name], globals()[name])
    return found


def parsed(name, value, default):
    """An environment variable's value as its setting's type; a bad one names the variable."""
    try:
        if name in BOOLEANS:
            if value.strip().lower() not in TRUE + FALSE:
                raise ValueError(f"not true or false ({', '.join(TRUE + FALSE)})")
            return value.strip().lower() in TRUE
        if isinstance(default, (int, float)):
            return type(default)(value)
        if isinstance(default, (list, dict)):
            found = json.loads(value)
            if not isinstance(found, type(default)):
                raise ValueError(f"not a JSON {'list' if isinstance(default, list) else 'object'}")
            return found
    except ValueError as err:
        raise RuntimeError(f"The environment variable {name} is not valid: {err}") from None
    return value


def check(config):
    """Refuse settings that are unsafe for the chosen environment, or out of range."""
    if not 0 < config["SCREENING_THRESHOLD"] <= 1:
        raise RuntimeError(f"SCREENING_THRESHOLD must be above 0 and at most 1, not {config['SCREENING_THRESHOLD']}")
    if config["SCREENING_PROCESSES"] < 1:
        raise RuntimeError(f"SCREENING_PROCESSES must be 1 or more, not {config['SCREENING_PROCESSES']}")
    if config["REPORTS_MIN_REPORTERS"] < 5:
        raise RuntimeError(f"REPORTS_MIN_REPORTERS must be 5 or more (fewer could single a worker out), not "
                           f"{config['REPORTS_MIN_REPORTERS']}")
    if config["FAIRRECRUIT_ENV"] == "production":
        secret = config.get("SECRET_KEY") or ""
        if secret in PLACEHOLDER_SECRETS or len(secret) < 32:
            raise RuntimeError(
                "FAIRRECRUIT_ENV=production needs SECRET_KEY set to a random value of 32 characters or more"
            )
        config["SESSION_COOKIE_SECURE"] = True
