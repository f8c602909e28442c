"""Nightly reconciliation against DVCQG's look-up (TraCuuHoSo): any difference is reported on the
dossier's sync row and the dossier is re-sent in full (issue 17, "Nightly reconciliation").

What is compared, per dossier whose changes were all acknowledged: the national status
(``TrangThaiHoSo`` = our status code), the number of progress steps DVCQG holds (``SoTienDo``, or
the length of its progress list) against our acknowledged changes, and the e-result (a returned
dossier with a result file must show ``DanhSachGiayToKetQua``), and a dossier filed with an e-form
must show the same form data (``DuLieuBieuMau``, issue 18). A dossier DVCQG does not know is a
difference too. Re-sending is safe: DVCQG keeps one record per step.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.eforms import eform_answers

from .client import DvcqgClient, DvcqgError
from .models import ChangeState, DossierSync, OutboundChange
from .services import resend

logger = logging.getLogger(__name__)


def difference(sync: DossierSync, record: dict | None) -> str:
    dossier = sync.dossier
    if record is None:
        return "DVCQG không có hồ sơ này"
    problems = []
    if str(record.get("TrangThaiHoSo")) != str(dossier.status):
        problems.append(f"trạng thái DVCQG {record.get('TrangThaiHoSo')} ≠ {dossier.status}")
    steps = record.get("SoTienDo", len(record.get("progress") or record.get("TienDo") or []))
    sent = OutboundChange.objects.filter(dossier_id=sync.dossier_id, state=ChangeState.SENT).count()
    if int(steps or 0) != sent:
        problems.append(f"số bước tiến độ DVCQG {steps} ≠ {sent}")
    answers = eform_answers(dossier)
    if answers and record.get("DuLieuBieuMau") != answers:
        problems.append("dữ liệu biểu mẫu điện tử khác")
    if (
        dossier.status == DossierStatus.RETURNED
        and dossier.result_file
        and not record.get("DanhSachGiayToKetQua")
    ):
        problems.append("thiếu kết quả điện tử")
    return "; ".join(problems)


def reconcile_all(*, client: DvcqgClient | None = None, limit: int | None = None) -> dict[str, int]:
    """Compare every dossier whose changes are all acknowledged; report and re-send differences."""
    client = client or DvcqgClient()
    syncs = (
        DossierSync.objects.select_related("dossier")
        .filter(created_on_dvcqg=True)
        .exclude(dossier__dvcqg_changes__state__in=[ChangeState.PENDING, ChangeState.FAILED])
        .order_by("dossier_id")
    )
    if limit:
        syncs = syncs[:limit]
    checked = different = 0
    for sync in syncs.iterator():
        try:
            answer = client.call("TraCuuHoSo", mahoso=sync.dossier.code)
            record = (answer.get("result") or [None])[0]
        except DvcqgError as exc:
            if exc.code == "04":  # not found
                record = None
            else:
                raise
        diff = difference(sync, record)
        checked += 1
        DossierSync.objects.filter(pk=sync.pk).update(
            reconciled_at=timezone.now(), reconcile_difference=diff
        )
        if diff:
            different += 1
            logger.warning(
                "dvcqg.reconcile_difference",
                extra={"dossier_id": sync.dossier_id, "difference": diff},
            )
            resend(dossier_id=sync.dossier_id, full=True)
    return {"checked": checked, "different": different}
