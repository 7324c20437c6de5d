"""Sign-in and token pages through the test client: CSRF, wrong passwords, tokens shown once."""
import re

from tests.conftest import PASSWORD


def csrf_of(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, email, password=PASSWORD):
    token = csrf_of(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    user = make_user("analyst")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/").get_data(as_text=True).count(user.email) == 0


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_user):
    user = make_user("analyst")
    response = sign_in(client, user.email, "not the password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)
    assert sign_in(client, "nobody@example.org").status_code == 401


def test_signed_in_user_sees_their_account_and_can_sign_out(client, make_user):
    user = make_user("registrar")
    assert sign_in(client, user.email).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert user.email in home and "registrar" in home
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/"))})
    assert user.email not in client.get("/").get_data(as_text=True)


def test_token_page_shows_a_new_token_once(client, make_user):
    user = make_user("viewer")
    sign_in(client, user.email)
    page = client.post("/account/tokens", data={"name": "laptop", "csrf_token": csrf_of(client.get("/account/tokens"))})
    token = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["email"] == user.email
    assert token not in client.get("/account/tokens").get_data(as_text=True)


def test_session_cookie_does_not_authorise_api_writes(client, make_user, authority):
    user = make_user("analyst")
    sign_in(client, user.email)
    assert client.get("/api/v1/me").json["email"] == user.email
    response = client.post("/api/v1/agencies", json={"legal_name": "X", "country": "NP"})
    assert response.status_code == 401


def test_token_page_needs_sign_in(client):
    response = client.get("/account/tokens")
    assert response.status_code == 401 and "Sign in" in response.get_data(as_text=True)
