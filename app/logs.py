"""Structured logging: 'event key=value' lines, or JSON lines for log shippers; one line per request."""
import json
import logging
import time

from flask import g, request


class TextFormatter(logging.Formatter):
    def format(self, record):
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record):
        body = {"at": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "event": record.getMessage()}
        if record.exc_info:
            body["traceback"] = self.formatException(record.exc_info)
        return json.dumps(body)


def init_app(app):
    """Configure the root logger once and log each request with its timing."""
    root = logging.getLogger()
    if not any(getattr(h, "fairrecruit", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.fairrecruit = True
        root.addHandler(handler)
    for handler in root.handlers:
        if getattr(handler, "fairrecruit", False):
            handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())
    root.setLevel(app.config["LOG_LEVEL"])
    # APScheduler says at INFO each time a job runs: the leadership lease every few seconds drowns the log.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    log = logging.getLogger("app.request")

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        actor = g.get("actor")
        log.info("request method=%s path=%s status=%s ms=%.1f user=%s", request.method, request.path,
                 response.status_code, elapsed, actor.user_id if actor else "-")
        return response
