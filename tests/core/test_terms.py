"""Words that one English msgid must not share across meanings (issue 14, "Language"): the
Vietnamese for a date range's "From" is not a sender's, Django admin's "History" is not a
memorandum ("Bản ghi nhớ"), the documents module is "Văn bản", not the procedures' "Giấy tờ",
and the admin names the portal instead of "Django"."""

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from tests.factories.accounts import UserFactory


@pytest.mark.parametrize(
    ("context", "msgid", "vi"),
    [
        ("start of a date range", "From", "Từ ngày"),
        ("end of a date range", "To", "Đến ngày"),
        ("sender of a document", "From", "Nơi gửi"),
        ("inter-agency documents module", "Documents", "Văn bản"),
    ],
)
def test_ambiguous_words_have_their_own_translation(context, msgid, vi):
    with translation.override("vi"):
        assert pgettext(context, msgid) == vi


def test_history_is_history_not_a_memorandum():
    with translation.override("vi"):
        assert gettext("History") == "Lịch sử"


@pytest.mark.django_db
def test_the_admin_names_the_portal_in_the_readers_language(client, settings):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "Quản trị Cổng dịch vụ công một cửa" in page and "Django" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/admin/").content.decode()
    assert "One-stop portal administration" in page and "Django" not in page
