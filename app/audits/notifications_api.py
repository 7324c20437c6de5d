"""Notifications and the calendar feed: subscriptions, deliveries and their retry, calendar tokens."""
from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app import db
from app.accounts.auth import current_actor, require
from app.audits import calendar, subscriptions
from app.audits.api import committed, page_of
from app.audits.notification_schemas import (CalendarTokenSchema, DeliveryArgs, DeliveryPageSchema, DeliverySchema,
                                             NewCalendarTokenSchema, NewSubscriptionSchema, SubscriptionSchema)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="What your organisation is told of (e-mail, webhooks, digests) and its calendar feed")


@blp.route("/notifications/subscriptions")
class Subscriptions(MethodView):
    @require("notification.manage")
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self):
        """Your organisation's subscriptions (secrets are never shown again)."""
        return subscriptions.list_subscriptions(db.Session(), current_actor())

    @require("notification.manage")
    @blp.arguments(SubscriptionSchema)
    @blp.response(201, NewSubscriptionSchema)
    def post(self, data):
        """Subscribe to events by e-mail, webhook or daily digest; a webhook's secret is in this answer only."""
        subscription, _ = committed(subscriptions.create_subscription, data,
                                    development=current_app.config["FAIRRECRUIT_ENV"] != "production")
        return subscription


@blp.route("/notifications/subscriptions/<int:subscription_id>", methods=["DELETE"])
@require("notification.manage")
@blp.response(204)
def delete_subscription(subscription_id):
    """End a subscription; its waiting deliveries are cancelled."""
    committed(subscriptions.delete_subscription, subscription_id)


@blp.route("/notifications/deliveries", methods=["GET"])
@require("notification.manage")
@blp.arguments(DeliveryArgs, location="query")
@blp.response(200, DeliveryPageSchema)
def list_deliveries(args):
    """Your organisation's deliveries, newest first; `state=dead` lists those that gave up."""
    rows, total = subscriptions.list_deliveries(db.Session(), current_actor(), args.get("state"), args["page"],
                                                args["per_page"])
    return page_of(rows, total, args)


@blp.route("/notifications/deliveries/<int:delivery_id>/retry", methods=["POST"])
@require("notification.manage")
@blp.response(200, DeliverySchema)
def retry_delivery(delivery_id):
    """Send a dead delivery again, with a full set of attempts."""
    return committed(subscriptions.retry_delivery, delivery_id)


@blp.route("/calendar/tokens")
class CalendarTokens(MethodView):
    @require("notification.manage")
    @blp.response(200, CalendarTokenSchema(many=True))
    def get(self):
        """Your organisation's calendar feed tokens (never the tokens themselves)."""
        return calendar.list_tokens(db.Session(), current_actor())

    @require("notification.manage")
    @blp.arguments(CalendarTokenSchema)
    @blp.response(201, NewCalendarTokenSchema)
    def post(self, data):
        """Make a calendar feed address (iCalendar) of your organisation's due reviews and audits; shown once."""
        token, raw = committed(calendar.create_token, data["name"])
        token.url = url_for("calendar_feed.feed", token=raw, _external=True)  # for this response only
        return token


@blp.route("/calendar/tokens/<int:token_id>", methods=["DELETE"])
@require("notification.manage")
@blp.response(204)
def revoke_calendar_token(token_id):
    """Revoke a calendar token: its feed address stops working at once."""
    committed(calendar.revoke_token, token_id)
