"""Every document page, action and download × {the agency's clerical office, another agency's
clerical office, the same agency's one-stop clerk (staff without a document role), a citizen,
anonymous}.

Another agency's document is a 404, a page for another role a 403, anonymous goes to the login
page. The last test fails when a documents page exists that this matrix does not list.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .pages_support import make_world

OK, DENIED, HIDDEN, LOGIN = "ok", "403", "404", "login"
PERSONAS = ("clerical", "other_clerical", "clerk", "citizen", "anonymous")


def _draft(w):
    return w.draft()


def _sent(w):
    return w.sent()


def _signed(w):
    return w.signed()


def _arrived(w):
    return w.arrived()


# route → (method, object maker, action, file?, expectations per persona)
LIST_PAGE = {
    "clerical": OK,
    "other_clerical": OK,
    "clerk": DENIED,
    "citizen": DENIED,
    "anonymous": LOGIN,
}
ONE_DOC = {
    "clerical": OK,
    "other_clerical": HIDDEN,
    "clerk": DENIED,
    "citizen": DENIED,
    "anonymous": LOGIN,
}

MATRIX: dict[str, tuple] = {
    "documents:inbox": ("get", None, None, False, LIST_PAGE),
    "documents:outgoing_book": ("get", None, None, False, LIST_PAGE),
    "documents:incoming_book": ("get", None, None, False, LIST_PAGE),
    "documents:draft_new": ("get", None, None, False, LIST_PAGE),
    "documents:register_paper": ("get", None, None, False, LIST_PAGE),
    "documents:outgoing_detail": ("get", _sent, None, False, ONE_DOC),
    "documents:draft_edit": ("get", _draft, None, False, ONE_DOC),
    "documents:outgoing_file": ("get", _sent, None, True, ONE_DOC),
    "documents:outgoing_act": ("post", _signed, "issue", False, ONE_DOC),
    "documents:incoming_detail": ("get", _arrived, None, False, ONE_DOC),
    "documents:incoming_file": ("get", _arrived, None, True, ONE_DOC),
    "documents:incoming_act": ("post", _arrived, "register", False, ONE_DOC),
}


def _outcome(response) -> str:
    if response.status_code in (200, 302) and "/dang-nhap/" in response.get("Location", ""):
        return LOGIN
    if response.status_code in (200, 302):
        return OK
    return {403: DENIED, 404: HIDDEN}.get(response.status_code, str(response.status_code))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(client, db, name):
    w = make_world()
    method, make, action, is_file, expect = MATRIX[name]
    obj = make(w) if make else None
    kwargs = {}
    if obj is not None:
        kwargs["pk"] = obj.pk
        if action:
            kwargs["action"] = action
        if is_file:
            kwargs["file_pk"] = obj.attachments.first().pk
    url = reverse(name, kwargs=kwargs)
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(getattr(w, persona))
        response = getattr(client, method)(
            url, {} if method == "get" else {f"{action}-notation": ""}
        )
        got[persona] = _outcome(response)
        if method == "post" and persona == "clerical":
            break  # the action ran: the others would meet a new state, checked on a fresh object below
    if method == "post":
        for persona in PERSONAS[1:]:
            fresh = make(w)
            kwargs["pk"] = fresh.pk
            client.logout()
            if persona != "anonymous":
                client.force_login(getattr(w, persona))
            got[persona] = _outcome(client.post(reverse(name, kwargs=kwargs), {}))
            fresh.refresh_from_db()
            assert fresh.state == ("signed" if name == "documents:outgoing_act" else "received"), (
                persona,
                "nothing may change",
            )
    assert got == expect


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(
                p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace
            )
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name, p.callback


def test_every_documents_page_is_in_the_matrix():
    pages = {
        name
        for name, callback in _walk(get_resolver().url_patterns)
        # documents.views is a package split by page (issue 16): its modules' views count.
        if getattr(callback, "__module__", "").startswith("documents.views.")
    }
    assert pages, "no documents pages found"
    assert pages <= set(MATRIX), f"pages without access rules: {sorted(pages - set(MATRIX))}"
    assert set(MATRIX) <= {name for name, _cb in _walk(get_resolver().url_patterns)}


def test_the_documents_entry_is_in_the_navigation_of_document_staff_only(client, db):
    w = make_world()
    for persona, shown in (
        ("clerical", True),
        ("leader", True),
        ("specialist", True),
        ("clerk", False),
        ("citizen", False),
    ):
        client.force_login(getattr(w, persona))
        page = client.get(reverse("home")).content.decode()
        assert ('id="nav-documents"' in page) is shown, persona
