"""A simulator of the national document axis (Trục liên thông văn bản quốc gia) as a provincial
system sees it through the LGSP, written from the Government Office SDK's calls
(``docs/national/document-axis.md``): a mailbox per organ code; systems authenticated by their
``systemid``/``secret`` headers, each serving a list of organ codes (patterns allowed).

Run by :func:`national.simkit.start_simulator` ("national.document_axis.simulator:DocumentAxisSimulator").

* ``POST /_sim/system`` – register a system: ``{"systemid", "secret", "organs": ["000.00.12.H18", "*.H29"]}``;
* ``POST /sendEdoc`` – headers ``from``, ``to`` (comma-separated), ``messagetype`` (edoc | status),
  body the edXML: one message per To organ in its mailbox (a status envelope is forwarded like a
  document: into the mailbox of the organ it is addressed to); answers ``{"status": "OK", "DocId"}``
  (operation ``sendEdoc``);
* ``POST /getReceivedEdocList`` – ``{"messagetype"}``: the caller's organs' messages not yet
  acknowledged ``done`` (operation ``getReceivedEdocList``);
* ``POST /getEdoc`` – ``{"docId"}``: the edXML (operation ``getEdoc``);
* ``POST /updateStatus`` – ``{"docId", "status": "done"|"fail"|"processing"}`` (operation ``updateStatus``).

Faults besides the built-in ones: ``duplicate`` on sendEdoc (the message is put in the mailbox
twice, under two DocIds: a duplicate delivery), ``out_of_order`` on getReceivedEdocList (the list
comes newest first), ``error`` on any operation (``{"status": "FAIL", "ErrorDesc"}``). A restart in
the middle of a batch is ``RunningSimulator.kill()`` + ``restart()``: the mailboxes are on disk.
"""

from __future__ import annotations

import base64
import fnmatch
import uuid
from datetime import datetime, timedelta, timezone

from national.simkit import Request, Response, Simulator, route

VN = timezone(timedelta(hours=7))


class DocumentAxisSimulator(Simulator):
    name = "document-axis"

    def initial_state(self) -> dict:
        return {"systems": {}, "messages": {}, "order": [], "acks": []}

    @route("POST", "/_sim/system")
    def system(self, request: Request) -> Response:
        s = request.json() or {}
        with self.lock:
            self.state["systems"][s["systemid"]] = {
                "secret": s["secret"],
                "organs": list(s.get("organs") or []),
            }
            self.save()
        return Response(200, {"ok": True})

    def _auth(self, request: Request) -> dict | None:
        system = self.state["systems"].get(request.headers.get("systemid", ""))
        if system is None or system["secret"] != request.headers.get("secret", ""):
            return None
        return system

    @staticmethod
    def _serves(system: dict, organ: str) -> bool:
        return any(organ == p or fnmatch.fnmatchcase(organ, p) for p in system["organs"])

    def _begin(self, request: Request, operation: str) -> tuple[dict | None, dict, Response | None]:
        fault = self.take_fault(operation) or {}
        builtin = self.apply_builtin(
            fault if fault.get("kind") in ("timeout", "http_500", "http_503", "drop") else None
        )
        if builtin:
            return None, fault, builtin
        if fault.get("kind") == "error":
            return (
                None,
                fault,
                Response(200, {"status": "FAIL", "ErrorDesc": "Loi he thong truc (mo phong)"}),
            )
        system = self._auth(request)
        if system is None:
            return (
                None,
                fault,
                Response(200, {"status": "FAIL", "ErrorDesc": "Sai systemid hoac secret"}),
            )
        return system, fault, None

    @route("POST", "/sendEdoc")
    def send(self, request: Request) -> Response:
        system, fault, error = self._begin(request, "sendEdoc")
        if error:
            return error
        assert system is not None  # _begin gives an error or the system
        sender = request.headers.get("from", "")
        if not self._serves(system, sender):
            return Response(
                200, {"status": "FAIL", "ErrorDesc": f"He thong khong quan ly don vi {sender}"}
            )
        targets = [t.strip() for t in request.headers.get("to", "").split(",") if t.strip()]
        if not targets or not request.body:
            return Response(200, {"status": "FAIL", "ErrorDesc": "Thieu noi nhan hoac noi dung"})
        copies = 2 if fault.get("kind") == "duplicate" else 1
        first = ""
        with self.lock:
            for to in targets:
                for _ in range(copies):
                    doc_id = str(uuid.uuid4())
                    first = first or doc_id
                    self.state["messages"][doc_id] = {
                        "from": sender,
                        "to": to,
                        "messagetype": request.headers.get("messagetype", "edoc"),
                        "created_time": datetime.now(VN).strftime("%Y-%m-%d %H:%M:%S"),
                        "status": "new",
                        "data": base64.b64encode(request.body).decode("ascii"),
                    }
                    self.state["order"].append(doc_id)
            self.save()
        return Response(200, {"status": "OK", "ErrorDesc": "", "DocId": first})

    @route("POST", "/getReceivedEdocList")
    def received(self, request: Request) -> Response:
        system, fault, error = self._begin(request, "getReceivedEdocList")
        if error:
            return error
        assert system is not None  # _begin gives an error or the system
        wanted = (request.json() or {}).get("messagetype", "edoc")
        with self.lock:
            items = [
                {
                    "DocId": d,
                    "from": m["from"],
                    "to": m["to"],
                    "messagetype": m["messagetype"],
                    "created_time": m["created_time"],
                }
                for d in self.state["order"]
                for m in [self.state["messages"][d]]
                if m["status"] != "done"
                and m["messagetype"] == wanted
                and self._serves(system, m["to"])
            ]
        if fault.get("kind") == "out_of_order":
            items.reverse()
        return Response(200, {"status": "OK", "ErrorDesc": "", "data": items})

    @route("POST", "/getEdoc")
    def get(self, request: Request) -> Response:
        system, _fault, error = self._begin(request, "getEdoc")
        if error:
            return error
        assert system is not None  # _begin gives an error or the system
        m = self.state["messages"].get(str((request.json() or {}).get("docId", "")))
        if m is None or not self._serves(system, m["to"]):
            return Response(200, {"status": "FAIL", "ErrorDesc": "Khong tim thay van ban"})
        return Response(200, base64.b64decode(m["data"]), {"Content-Type": "application/xml"})

    @route("POST", "/updateStatus")
    def update(self, request: Request) -> Response:
        system, _fault, error = self._begin(request, "updateStatus")
        if error:
            return error
        assert system is not None  # _begin gives an error or the system
        body = request.json() or {}
        doc_id = str(body.get("docId", ""))
        with self.lock:
            m = self.state["messages"].get(doc_id)
            if m is None or not self._serves(system, m["to"]):
                return Response(200, {"status": "FAIL", "ErrorDesc": "Khong tim thay van ban"})
            m["status"] = str(body.get("status", "done"))
            self.state["acks"].append(
                {"docId": doc_id, "status": m["status"], "description": body.get("description", "")}
            )
            self.save()
        return Response(200, {"status": "OK", "ErrorDesc": ""})
