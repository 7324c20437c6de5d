"""Sessions end when they should: sign-out, a password change, a disabled account; old cookies stay dead."""
from sqlalchemy import select

from app.accounts.auth import actor_for
from app.accounts import service as accounts
from app.accounts.models import User
from tests.conftest import PASSWORD
from tests.web.test_sign_in import csrf_of, sign_in

NEW_PASSWORD = "a different long passphrase"


def cookie_of(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A fresh browser that presents a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def bearer(session, user, **fields):
    _, raw = accounts.create_token(session, actor_for(session, user), name="test", **fields)
    session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_a_cookie_saved_before_sign_out_no_longer_signs_in(app, client, make_user):
    user = make_user("analyst")
    sign_in(client, user.email)
    saved = cookie_of(client)
    assert replay(app, saved).get("/api/v1/me").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/"))})
    assert replay(app, saved).get("/api/v1/me").status_code == 401
    assert replay(app, saved).get("/account/tokens").status_code == 401


def test_signing_out_ends_the_sessions_on_other_devices_too(app, client, make_user):
    user = make_user("viewer")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    laptop.post("/logout", data={"csrf_token": csrf_of(laptop.get("/"))})
    assert phone.get("/api/v1/me").status_code == 401


def test_changing_the_password_on_the_page_keeps_this_session_and_ends_the_others(app, client, make_user):
    user = make_user("analyst")
    other = app.test_client()
    sign_in(other, user.email)
    sign_in(client, user.email)
    page = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
        "csrf_token": csrf_of(client.get("/account/password"))})
    assert page.status_code == 302
    assert client.get("/api/v1/me").json["email"] == user.email
    assert other.get("/api/v1/me").status_code == 401
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_the_password_page_says_what_is_wrong_and_changes_nothing(client, make_user):
    user = make_user("analyst")
    sign_in(client, user.email)
    wrong = client.post("/account/password", data={
        "current_password": "not it at all", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
        "csrf_token": csrf_of(client.get("/account/password"))})
    assert wrong.status_code == 422
    assert 'href="#current_password"' in wrong.get_data(as_text=True)
    differ = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x",
        "csrf_token": csrf_of(client.get("/account/password"))})
    assert differ.status_code == 422 and "differ" in differ.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 200
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_password_change_through_the_api_checks_the_current_one_and_the_length(app, client, session, make_user):
    user = make_user("viewer")
    browser = app.test_client()
    sign_in(browser, user.email)
    headers = bearer(session, user)
    wrong = client.post("/api/v1/me/password", json={"current_password": "nope", "new_password": NEW_PASSWORD},
                        headers=headers)
    assert wrong.status_code == 422 and "current_password" in wrong.json["errors"]
    short = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"},
                        headers=headers)
    assert short.status_code == 422 and "new_password" in short.json["errors"]
    assert browser.get("/api/v1/me").status_code == 200
    done = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                       headers=headers)
    assert done.status_code == 204
    assert browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_disabling_a_user_ends_their_sessions_and_stops_their_tokens(app, client, session, make_user, make_org):
    organisation = make_org("business")
    admin = bearer(session, make_user("admin", organisation=organisation))
    user = make_user("analyst", organisation=organisation)
    tokens = bearer(session, user)
    browser = app.test_client()
    sign_in(browser, user.email)
    saved = cookie_of(browser)
    version = client.get("/api/v1/users", headers=admin).json[-1]["version"]
    disabled = client.patch(f"/api/v1/users/{user.id}", json={"version": version, "active": False}, headers=admin)
    assert disabled.status_code == 200 and disabled.json["active"] is False
    assert browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=tokens).status_code == 401
    assert sign_in(app.test_client(), user.email).status_code == 401
    enabled = client.patch(f"/api/v1/users/{user.id}", json={"version": disabled.json["version"], "active": True},
                           headers=admin)
    assert enabled.status_code == 200
    assert client.get("/api/v1/me", headers=tokens).status_code == 200
    assert replay(app, saved).get("/api/v1/me").status_code == 401


def test_only_admins_of_the_users_organisation_change_a_user(client, session, make_user, make_org):
    organisation = make_org("business")
    admin_user = make_user("admin", organisation=organisation)
    admin = bearer(session, admin_user)
    user = make_user("viewer", organisation=organisation)
    outsider = bearer(session, make_user("admin"))
    analyst = bearer(session, make_user("analyst", organisation=organisation))
    change = {"version": 1, "role": "analyst", "name": "Promoted"}
    assert client.patch(f"/api/v1/users/{user.id}", json=change, headers=outsider).status_code == 404
    assert client.patch(f"/api/v1/users/{user.id}", json=change, headers=analyst).status_code == 403
    assert client.patch(f"/api/v1/users/{user.id}", json={**change, "version": 7}, headers=admin).status_code == 409
    own = client.patch(f"/api/v1/users/{admin_user.id}", json={"version": 1, "active": False}, headers=admin)
    assert own.status_code == 409
    assert session.scalar(select(User.active).where(User.id == admin_user.id)) is True
    changed = client.patch(f"/api/v1/users/{user.id}", json=change, headers=admin)
    assert changed.status_code == 200 and changed.json["role"] == "analyst" and changed.json["version"] == 2
    platform = bearer(session, make_user("admin", kind="platform"))
    again = client.patch(f"/api/v1/users/{user.id}", json={"version": 2, "role": "viewer"}, headers=platform)
    assert again.status_code == 200 and again.json["role"] == "viewer"
