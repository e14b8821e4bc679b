"""NUL characters are refused at the door (400, in Vietnamese) on pages too; files are not text.

The API side is generated from the OpenAPI document in tests/fuzz/test_nul_bytes.py.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


def test_a_nul_in_a_page_query_or_form_is_a_400(hierarchy, make_user):
    client = Client()
    client.force_login(make_user("province_admin", "A"))
    response = client.get("/units/", {"as_of": "2025\x00"})
    assert response.status_code == 400
    assert "ký tự NUL" in response.content.decode()
    posted = client.post("/accounts/users/new/", {"username": "a\x00b", "full_name": "X"})
    assert posted.status_code == 400
    assert client.get("/units/").status_code == 200


def test_binary_uploads_may_contain_nul(hierarchy, make_user):
    client = Client()
    client.force_login(make_user("unit_officer", "A-W1"))
    upload = SimpleUploadedFile("so-lieu.xlsx", b"PK\x03\x04\x00\x00binary")
    response = client.post("/data/import/", {"file": upload})
    assert response.status_code in (200, 302)
    assert "ký tự NUL" not in response.content.decode()
