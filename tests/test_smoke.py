import pytest

pytestmark = pytest.mark.django_db


def test_home_page_renders_in_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Tìm thủ tục hành chính".encode() in response.content or b"procedure" in response.content


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang".encode() in response.content
