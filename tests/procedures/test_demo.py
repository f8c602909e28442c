"""The demo catalogue: enough real procedures, complete, published, and seeding twice changes nothing."""

import pytest
from django.db.models import Sum

from portal.agencies.demo import seed_agencies
from procedures.demo import seed_procedures
from procedures.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


def test_demo_catalogue_is_complete_and_idempotent(client):
    seed_agencies()
    n = seed_procedures()
    assert n >= 40
    published = Procedure.objects.filter(state="published")
    assert published.count() == n
    assert published.values("sector").distinct().count() >= 8
    assert set(published.values_list("level", flat=True)) == {2, 3, 4}
    for p in published.prefetch_related("documents", "steps", "agencies"):
        assert p.documents.exists() and p.agencies.exists(), p.code
        assert p.steps.aggregate(s=Sum("share_percent"))["s"] == 100, p.code
    versions = ProcedureVersion.objects.count()
    assert seed_procedures() == n
    assert ProcedureVersion.objects.count() == versions
    # the birth registration form can be downloaded from its page
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Tờ khai đăng ký khai sinh (mẫu TP/HT-2020-KS.1)" in html
    doc = Procedure.objects.get(code="1.001193").documents.exclude(template="").get()
    response = client.get(f"/thu-tuc/1.001193/mau/{doc.pk}/")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
