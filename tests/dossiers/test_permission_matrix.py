"""Every dossier page, action, download and API route × {the owner, another citizen, the same
agency's other role, another agency's staff, anonymous}.

Another's dossier is a 404, a wrong role a 403, anonymous goes to the login page (pages) or gets
401/403 (API). The last test fails when a route exists that this matrix does not list, so a new
URL cannot ship without its access rules being written down here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dossiers import services
from dossiers.models import Dossier
from dossiers.payments.services import payment_record_at_counter

from .conftest import PDF

OK, DENIED, HIDDEN, LOGIN = "ok", "403", "404", "login"
PERSONAS = ("owner", "other_citizen", "same_agency", "other_agency", "anonymous")


# --- states -------------------------------------------------------------------------------------


def _payment_due(world):
    return services.dossier_request_payment(
        dossier=world.received(), actor=world.clerk, amount=50000, reason="Lệ phí"
    )


def _late(world):
    d = world.received()
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(days=1))
    return Dossier.objects.get(pk=d.pk)


def _with_result(world):
    d = world.returned()
    d.result_file.save("ket-qua.pdf", ContentFile(PDF), save=False)
    Dossier.objects.filter(pk=d.pk).update(result_file=d.result_file.name)
    return Dossier.objects.get(pk=d.pk)


def _paid(world):
    d = _payment_due(world)
    payment_record_at_counter(dossier=d, actor=world.clerk)
    return Dossier.objects.get(pk=d.pk)


def _intake_supplement(world):
    d = world.submitted()
    services.dossier_request_supplement(
        dossier=d,
        actor=world.clerk,
        items=[{"document": "Tờ khai", "reason": "mờ"}],
        reason="Bổ sung",
    )
    return Dossier.objects.get(pk=d.pk)


def _with_receipt(world):
    from dossiers import printing

    d = world.received()
    printing.render_form(form_id=d.printed_forms.get(kind="01").pk)
    return d


def _with_book(world):
    from datetime import date

    from django.db import transaction

    from dossiers import printing

    d = world.received()
    with transaction.atomic():
        book = printing.request_tracking_book(
            agency=world.agency, start=date(2026, 6, 1), end=date(2026, 6, 30), actor=world.clerk
        )
    printing.render_form(form_id=book.pk)
    return d


STATES = {
    "draft": lambda w: w.draft(),
    "new": lambda w: w.submitted(),
    "received": lambda w: w.received(),
    "examining": lambda w: w.examining(),
    "approval": lambda w: w.awaiting_approval(),
    "processed": lambda w: w.processed(),
    "returned": lambda w: w.returned(),
    "payment_due": _payment_due,
    "late": _late,
    "with_result": _with_result,
    "paid": _paid,
    "supplement": _intake_supplement,
    "with_receipt": _with_receipt,
    "with_book": _with_book,
    "with_report": lambda w: _with_report(w),
    "apology_draft": lambda w: _apology_draft(w),
}


def _apology_draft(world):
    """A late dossier with the apology (form 04) the deadline scan drafts for the leader."""
    from dossiers.models import Apology

    d = _late(world)
    Apology.objects.create(
        dossier=d,
        reason="Chậm",
        new_due_at=timezone.now() + timedelta(days=3),
        created_by=world.leader,
    )
    return d


def _with_report(world):
    """A ready dashboard report of the agency's leader (only he may download it)."""
    from django.core.files.base import ContentFile as _File

    from dashboards.models import DashboardReport

    report = DashboardReport.objects.create(
        requested_by=world.leader, query="period=month", title="Báo cáo", state="ready"
    )
    report.file.save("bao-cao.pdf", _File(PDF))
    return None


# The "same agency, other role" persona per route: who in the dossier's agency lacks the right.
SPECIALIST, CLERK, LEADER = "specialist", "clerk", "leader"


def row(
    state, method, owner, other_citizen, same_agency, other_agency, anonymous, *, same=SPECIALIST
):
    return {
        "state": state,
        "method": method,
        "same": same,
        "expect": dict(
            zip(PERSONAS, (owner, other_citizen, same_agency, other_agency, anonymous), strict=True)
        ),
    }


# An applicant action: the owner may; staff of the agency may not (403).
def applicant_action(state, same=CLERK):
    return row(state, "post", OK, HIDDEN, DENIED, HIDDEN, LOGIN, same=same)


# A staff action: the owner is refused (403), the agency's other role too (403).
def staff_action(state, same=SPECIALIST):
    return row(state, "post", DENIED, HIDDEN, DENIED, HIDDEN, LOGIN, same=same)


# A staff list or form that holds no one dossier: citizens 403, the same agency's other role 403,
# another agency's staff with the role sees its OWN list (ok).
def staff_page(same, other_agency_user="other_clerk"):
    r = row(None, "get", DENIED, DENIED, DENIED, OK, LOGIN, same=same)
    r["other_agency_user"] = other_agency_user
    return r


PAGES: dict[str, dict] = {
    "dossiers:submit": row(None, "get", OK, OK, DENIED, DENIED, LOGIN),
    "dossiers:my": row(None, "get", OK, OK, DENIED, DENIED, LOGIN),
    "dossiers:detail": row("new", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:submitted": row("new", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:upload": row(
        "new", "post", DENIED, HIDDEN, DENIED, HIDDEN, LOGIN
    ),  # at intake only the clerk attaches
    "dossiers:file_download": row("new", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:result_download": row("with_result", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:track": row("received", "get", OK, OK, OK, OK, OK),
    "dossiers:track_token": row("received", "get", OK, OK, OK, OK, OK),
    "dossiers:intake_queue": staff_page(SPECIALIST),
    "dossiers:counter_new": staff_page(SPECIALIST),
    "dossiers:department_queue": staff_page(CLERK, "other_leader"),
    "dossiers:my_queue": row(None, "get", DENIED, DENIED, OK, OK, LOGIN),
    "dossiers:approval_queue": staff_page(CLERK, "other_leader"),
    "dossiers:act": None,  # expanded per action below
    # result signing (issue 5): an empty form is refused after the access check
    "dossiers:sign_approve_batch": {**staff_page(CLERK, "other_leader"), "method": "post"},
    "dossiers:sign_approve": staff_action("approval", same=CLERK),
    "dossiers:issue_queue": row(
        None, "get", DENIED, DENIED, DENIED, DENIED, LOGIN, same=CLERK
    ),  # clerical office only
    "dossiers:draft_result": staff_action("examining", same=CLERK),
    "dossiers:issue_result": staff_action("processed", same=CLERK),
    # printed forms (dossiers.printing): whoever sees the dossier; staff re-print 06, keep the book
    "dossiers:forms": row("received", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:form_download": row("with_receipt", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:control_slip": row("received", "post", DENIED, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:form_rerender": row("received", "post", DENIED, HIDDEN, OK, HIDDEN, LOGIN),
    "dossiers:tracking_book": row(None, "get", DENIED, DENIED, OK, OK, LOGIN),
    "dossiers:tracking_book_download": row("with_book", "get", DENIED, DENIED, OK, HIDDEN, LOGIN),
    # drafted apologies (dossiers.apology_views): leaders only, each his own unit's drafts
    "notifications:apology_queue": staff_page(CLERK, "other_leader"),
    "notifications:apology_approve": {
        **row("apology_draft", "post", DENIED, DENIED, DENIED, HIDDEN, LOGIN, same=CLERK),
        "other_agency_user": "other_leader",
    },
    "payments:start": row("payment_due", "post", OK, HIDDEN, DENIED, HIDDEN, LOGIN, same=CLERK),
    "payments:receipt": row("paid", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "payments:receipt_pdf": row("paid", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
    "payments:cases": staff_page(
        SPECIALIST
    ),  # the clerks' refund / top-up queue, of their own agency
    # machine and gateway endpoints: public by design, protected by the HMAC signature
    "payments:ipn": row(None, "get", OK, OK, OK, OK, OK),
    "payments:return": row(None, "get", OK, OK, OK, OK, OK),
    "payments:test_gateway": row(None, "get", OK, OK, OK, OK, OK),
    # dashboards: provincial staff and agency leaders (their own subtree); the public page for all
    "dashboards:province": staff_page(CLERK, "other_leader"),
    "dashboards:drilldown": staff_page(CLERK, "other_leader"),
    "dashboards:drilldown_export": staff_page(CLERK, "other_leader"),
    "dashboards:export": staff_page(CLERK, "other_leader"),
    "dashboards:index766": staff_page(CLERK, "other_leader"),
    "dashboards:public": row(None, "get", OK, OK, OK, OK, OK),
    # printable reports: the list is each user's own; a report downloads for its requester only
    "dashboards:reports": staff_page(CLERK, "other_leader"),
    "dashboards:report_download": {
        **row("with_report", "get", DENIED, DENIED, DENIED, HIDDEN, LOGIN, same=CLERK),
        "other_agency_user": "other_leader",
    },
}

ACTIONS: dict[str, dict] = {
    "receive": staff_action("new"),
    "request_supplement": staff_action("new"),
    "answer_supplement": applicant_action("supplement", same=SPECIALIST),
    "refuse": staff_action("new"),
    "assign": staff_action("received"),
    "forward": staff_action("examining", same=CLERK),
    "send_back": staff_action("approval", same=CLERK),
    "approve": staff_action("approval", same=CLERK),
    "request_payment": staff_action("received"),
    "confirm_payment": staff_action("payment_due"),  # the owner pays through payments:start
    "return_result": staff_action("processed"),
    "withdraw": applicant_action("new", same=SPECIALIST),
    "stop": staff_action("received", same=CLERK),
    "transfer": staff_action("received"),
    "rate": applicant_action("returned"),
    "apologise": staff_action("late"),
}

# API routes (DRF, /api/v1/): anonymous gets 401/403 instead of a login page.
API_DETAIL_ACTIONS = {
    "submit": (None, "draft", SPECIALIST, True),
    "receive": ("post", "new", SPECIALIST, False),
    "request-supplement": ("post", "new", SPECIALIST, False),
    "answer-supplement": ("post", "supplement", SPECIALIST, True),
    "refuse": ("post", "new", SPECIALIST, False),
    "assign": ("post", "received", SPECIALIST, False),
    "forward": ("post", "examining", CLERK, False),
    "approve": ("post", "approval", CLERK, False),
    "return": ("post", "processed", SPECIALIST, False),
    "withdraw": ("post", "new", SPECIALIST, True),
    "stop": ("post", "received", CLERK, False),
    "transfer": ("post", "received", SPECIALIST, False),
    "rate": ("post", "returned", CLERK, True),
    "files": ("post", "draft", SPECIALIST, True),
    # the actions the API lacked before the workflow engine generated a route for every row
    "send-back": ("post", "approval", CLERK, False),
    "request-payment": ("post", "received", SPECIALIST, False),
    "confirm-payment": ("post", "payment_due", SPECIALIST, False),
    "apologise": ("post", "late", SPECIALIST, False),
    "attach-draft": ("post", "examining", CLERK, False),
    "sign-approve-one": ("post", "approval", CLERK, False),
    "issue-result": ("post", "processed", SPECIALIST, False),
    # the one endpoint shape for every action: POST /dossiers/{id}/actions/{action}/ (here: receive)
    "action": ("post", "new", SPECIALIST, False),
}


def _api_rows() -> dict[str, dict]:
    rows = {
        "dossiers-api-list": row(None, "get", OK, OK, OK, OK, LOGIN),
        "dossiers-api-detail": row("new", "get", OK, HIDDEN, OK, HIDDEN, LOGIN),
        "dossiers-api-counter": row(None, "post", DENIED, DENIED, DENIED, OK, LOGIN),
        "dossier-tracking": row("received", "get", OK, OK, OK, OK, OK),
        "dossier-tracking-token": row("received", "get", OK, OK, OK, OK, OK),
        # leaders only; an empty body is a 400 after the role check
        "dossiers-api-sign-approve": {**staff_page(CLERK, "other_leader"), "method": "post"},
    }
    for name, (_m, state, same, applicant) in API_DETAIL_ACTIONS.items():
        rows[f"dossiers-api-{name}"] = (
            applicant_action(state, same=same) if applicant else staff_action(state, same=same)
        )
    # a draft is the applicant's alone: staff never see it
    for name in ("dossiers-api-submit", "dossiers-api-files"):
        rows[name]["expect"]["same_agency"] = HIDDEN
    for name in ("dashboard-api-figures", "dashboard-api-index766"):
        rows[name] = staff_page(CLERK, "other_leader")
    return rows


API = _api_rows()


# --- route discovery ----------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (namespace + p.name) if p.name else None, p.callback


def discovered_routes() -> set[str]:
    names = set()
    for route, name, callback in _walk(get_resolver().url_patterns):
        module = getattr(callback, "__module__", "") or ""
        view_cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view_cls is not None:
            module = view_cls.__module__
        if module.startswith(("dossiers.", "dashboards.")) and not (name or "").startswith(
            ("schema", "swagger", "redoc")
        ):
            names.add(name or route)
    return names


def test_every_dossier_route_is_in_the_matrix():
    listed = set(PAGES) | set(API)
    missing = sorted(discovered_routes() - listed)
    assert not missing, f"Routes without access rules in the permission matrix: {missing}"
    from dossiers.views import ACTION_FORMS

    assert set(ACTIONS) == {str(a) for a in ACTION_FORMS}, "every page action needs its matrix row"


# --- the matrix ---------------------------------------------------------------------------------


def _persona(world, persona, spec):
    if persona == "anonymous":
        return None
    if persona == "owner":
        return world.citizen
    if persona == "other_citizen":
        return world.other_citizen
    if persona == "same_agency":
        return getattr(world, spec["same"])
    return getattr(world, spec.get("other_agency_user", "other_clerk"))


def _classify(response, *, api: bool) -> str:
    code = response.status_code
    if api:
        if code in (401,) or (
            code == 403
            and "authenticat" in response.content.decode().lower()
            and "credentials" in response.content.decode().lower()
        ):
            return LOGIN
    elif code == 302 and "/tai-khoan/" in response.url and "next=" in response.url:
        return LOGIN
    if code == 403:
        return DENIED
    if code == 404:
        return HIDDEN
    assert code < 500, response.content[:500]
    return OK


def _url(name: str, dossier: Dossier | None, action: str | None = None) -> str:
    if name == "dossiers:submit":
        return reverse(name, kwargs={"code": dossier.procedure.code if dossier else "x"})
    if name in ("dossiers:track_token", "dossier-tracking-token"):
        return reverse(name, args=[dossier.tracking_token])
    if name == "dossiers:act":
        return reverse(name, args=[dossier.pk, action])
    if name == "dossiers-api-action":
        return reverse(name, args=[dossier.pk, "receive"])
    if name in ("dossiers:form_download", "dossiers:form_rerender"):
        return reverse(name, args=[dossier.pk, dossier.printed_forms.get(kind="01").pk])
    if name == "dossiers:tracking_book_download":
        from dossiers.models import PrintedForm

        return reverse(name, args=[PrintedForm.objects.get(kind="07").pk])
    if name == "dossiers:file_download":
        return reverse(name, args=[dossier.pk, dossier.files.first().pk])
    if name == "dashboards:report_download":
        from dashboards.models import DashboardReport

        return reverse(name, args=[DashboardReport.objects.get().pk])
    if name == "notifications:apology_approve":
        return reverse(name, args=[dossier.apologies.get().pk])
    if name in ("payments:receipt", "payments:receipt_pdf"):
        return reverse(name, args=[dossier.payments.get().reference])
    if name in ("dashboards:drilldown", "dashboards:drilldown_export", "dashboards:export"):
        args = [] if name == "dashboards:drilldown" else ["csv"]
        return reverse(name, args=args) + "?metric=received"
    if name in ("dossiers:track", "dossier-tracking"):
        return f"{reverse(name)}?code={dossier.code}&second_factor=4321"
    if dossier is not None:
        return reverse(name, args=[dossier.pk])
    return reverse(name)


def _api_body(name: str, world) -> dict:
    return {
        "dossiers-api-counter": {
            "procedure": world.procedure.code,
            "applicant": {"name": "Lò Văn Pâng"},
        },
        "dossiers-api-request-supplement": {
            "reason": "Thiếu",
            "items": [{"document": "Tờ khai", "reason": "mờ"}],
        },
        "dossiers-api-refuse": {"reason": "Không thuộc thẩm quyền"},
        "dossiers-api-stop": {"reason": "Theo đề nghị"},
        "dossiers-api-transfer": {"to_agency": world.other_agency.code},
        "dossiers-api-rate": {"rating": "satisfied"},
        "dossiers-api-return": {"delivery": "counter"},
    }.get(name, {})


def _cases():
    for name, spec in PAGES.items():
        if spec is None:
            continue
        for persona in PERSONAS:
            yield pytest.param(name, None, spec, persona, False, id=f"{name}-{persona}")
    for action, spec in ACTIONS.items():
        for persona in PERSONAS:
            yield pytest.param(
                "dossiers:act", action, spec, persona, False, id=f"act:{action}-{persona}"
            )
    for name, spec in API.items():
        for persona in PERSONAS:
            yield pytest.param(name, None, spec, persona, True, id=f"api:{name}-{persona}")


@pytest.mark.parametrize(("name", "action", "spec", "persona", "api"), list(_cases()))
def test_access(client, world, working_morning, name, action, spec, persona, api):
    dossier = STATES[spec["state"]](world) if spec["state"] else None
    if name in ("dossiers:submit", "dossiers:my") and dossier is None:
        dossier = None
    user = _persona(world, persona, spec)
    if user is not None:
        client.force_login(user)
    url = _url(name, dossier or (world.draft() if name == "dossiers:submit" else None), action)
    if name == "dossiers:submit":
        url = reverse(name, kwargs={"code": world.procedure.code})
    if spec["method"] == "get":
        response = client.get(url)
    elif api:
        # a valid body, so that what is checked is who asks, not what was sent
        response = client.post(url, _api_body(name, world), content_type="application/json")
    else:
        response = client.post(url, {})
    assert _classify(response, api=api) == spec["expect"][persona], (
        url,
        persona,
        response.status_code,
    )
