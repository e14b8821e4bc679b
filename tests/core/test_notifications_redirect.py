"""Marking a notification read follows only local links: no open redirect through `next`."""

import pytest

from kieumau.notifications.models import Notification


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/data/", "/data/"),
        ("//evil.example/", "/notifications/"),
        ("/\\evil.example/", "/notifications/"),
        ("https://evil.example/", "/notifications/"),
    ],
)
def test_read_redirects_only_to_local_paths(client, hierarchy, make_user, target, expected):
    user = make_user("unit_officer", "A-W1")
    note = Notification.objects.create(user=user, kind="x", subject="Thử")
    client.force_login(user)
    response = client.post("/notifications/read/", {"id": note.pk, "next": target})
    assert response.status_code == 302
    assert response["Location"] == expected
    note.refresh_from_db()
    assert note.read_at is not None
