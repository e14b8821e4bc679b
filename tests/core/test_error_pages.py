"""Error pages speak Vietnamese and keep the site's frame; the 500 page needs no database."""

from django.template.loader import render_to_string
from django.test import Client


def test_a_missing_page_says_so_in_vietnamese(hierarchy, make_user):
    client = Client()
    client.force_login(make_user("viewer", "A"))
    response = client.get("/units/KHONG-CO/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page
    assert "nằm ngoài phạm vi tài khoản" in page  # out of scope reads the same as missing


def test_the_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "Lỗi hệ thống" in page and "thử lại" in page
