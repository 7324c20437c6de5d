def test_health_is_ok(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_ready_when_database_is_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["migrations"] == "current"
