"""Asking the API as a client does, for the app tests."""


def post(client, path: str, **body) -> dict:
    """The answer of POST /api/v1/{path}, which must be a 200."""
    response = client.post(f"/api/v1/{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def refused(client, path: str, **body) -> list:
    """The detail of POST /api/v1/{path}'s refusal, which must be a 422."""
    response = client.post(f"/api/v1/{path}", json=body)
    assert response.status_code == 422, response.text
    return response.json()["detail"]
