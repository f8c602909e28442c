import pytest

pytestmark = pytest.mark.django_db


def test_home_page_renders_in_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    # the Vietnamese translation of "Find an administrative procedure", not the English msgid
    assert "Tìm thủ tục hành chính" in page and "Find an administrative procedure" not in page


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang".encode() in response.content
