"""A simulator of the national payment platform (Nền tảng thanh toán của Cổng DVCQG), written from
the message set the public provincial implementations use (``docs/national/payment-platform.md``);
it computes ``MaXacThuc`` itself, not with the portal's code, so the two check each other.

Run by :func:`national.simkit.start_simulator` ("national.payment_platform.simulator:PaymentPlatformSimulator").

Routes:

* ``POST /_sim/partner`` – register a partner: ``{"code", "secret", "callback_secret",
  "callback_url", "return_url"}`` (the real platform registers them out of band);
* ``POST /init`` – INIT: checks MaXacThuc, answers ``{"error_code": "0", "message": "<JSON with
  UrlThanhToan>"}`` (operation ``init``);
* ``GET /pay/<token>`` – the payment page (amount, dossier code, "Thanh toán" / "Hủy");
  ``POST /pay/<token>`` – the payer's choice: the signed CONFIRM is sent to the partner's
  callback URL and the browser is redirected to its return URL (operation ``pay``);
* ``POST /query`` – QUERY: ``TrangThaiGD`` 1 paid / 3 pending / 4 failed, signed like a CONFIRM
  (operation ``query``);
* ``POST /bill`` – GET_BILL: the receipt as a PDF (operation ``bill``).

Faults (``POST /_sim/faults``) besides the built-in ``timeout``/``http_500``/``http_503``/``drop``,
on operation ``pay``: ``bad_signature`` (CONFIRM signed with a wrong key), ``duplicate_callback``
(sent twice), ``amount_changed`` (SoTien differs, correctly signed), ``callback_before_redirect``
(delivered before the browser is redirected; by default it goes out just after), ``callback_late``
(``delay`` seconds after the redirect), ``no_callback`` (never sent: only QUERY tells).
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlencode

from national.simkit import Request, Response, Simulator, route

INIT_ORDER = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
]
SHORT_ORDER = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]
CONFIRM_ORDER = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
]


def checksum(message: dict, order: list[str], key: str) -> str:
    parts = ["" if message.get(k) is None else str(message.get(k)) for k in order]
    return hashlib.sha256("|".join([*parts, key]).encode("utf-8")).hexdigest()


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ASCII text lines (a stand-in for the platform's receipt)."""
    text = (
        "BT /F1 11 Tf 50 780 Td 14 TL "
        + " ".join(
            "("
            + line.encode("ascii", "replace")
            .decode()
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
            + ") '"
            for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode() + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


VN = timezone(timedelta(hours=7))


class PaymentPlatformSimulator(Simulator):
    name = "payment-platform"

    def initial_state(self) -> dict:
        return {"partners": {}, "transactions": {}, "tokens": {}, "callbacks": [], "seq": 0}

    def _url(self, request: Request) -> str:
        return "http://" + request.headers.get("host", "127.0.0.1")

    # -- configuration ----------------------------------------------------------------------------
    @route("POST", "/_sim/partner")
    def partner(self, request: Request) -> Response:
        p = request.json() or {}
        with self.lock:
            self.state["partners"][p["code"]] = {
                k: p.get(k, "") for k in ("secret", "callback_secret", "callback_url", "return_url")
            }
            self.save()
        return Response(200, {"ok": True})

    def _partner(self, code: str) -> dict | None:
        return self.state["partners"].get(code)

    # -- INIT ----------------------------------------------------------------------------------------
    @route("POST", "/init")
    def init(self, request: Request) -> Response:
        builtin = self.apply_builtin(self.take_fault("init"))
        if builtin:
            return builtin
        msg = request.json() or {}
        partner = self._partner(str(msg.get("MaDoiTac", "")))
        if partner is None:
            return Response(200, {"error_code": "2", "message": "Ma doi tac khong ton tai"})
        if msg.get("LoaiBanTin") != "INIT" or msg.get("MaXacThuc") != checksum(
            msg, INIT_ORDER, partner["secret"]
        ):
            return Response(200, {"error_code": "1", "message": "Sai ma xac thuc"})
        ref = str(msg.get("MaThamChieu", ""))
        with self.lock:
            existing = self.state["transactions"].get(ref)
            if existing:
                token = existing["token"]
            else:
                token = secrets.token_urlsafe(12)
                self.state["transactions"][ref] = {
                    "token": token,
                    "partner": msg["MaDoiTac"],
                    "amount": str(msg.get("SoTien", "")),
                    "time": msg.get("ThoiGianGD", ""),
                    "info": msg.get("ThongTinGiaoDich", ""),
                    "receipt": msg.get("ThongTinBienLai") or {},
                    "status": "3",
                    "txn": "",
                    "bank": "",
                    "paid_at": "",
                }
                self.state["tokens"][token] = ref
            self.save()
        url = f"{self._url(request)}/pay/{token}"
        return Response(
            200,
            {
                "error_code": "0",
                "message": json.dumps({"MaLoi": "00", "MaThamChieu": ref, "UrlThanhToan": url}),
            },
        )

    # -- the payment page ----------------------------------------------------------------------------
    @route("GET", "/pay/(?P<token>[^/]+)")
    def page(self, request: Request) -> Response:
        ref = self.state["tokens"].get(request.params["token"])
        if ref is None:
            return Response(
                404, "Khong tim thay giao dich", {"Content-Type": "text/html; charset=utf-8"}
            )
        t = self.state["transactions"][ref]
        amount = f"{int(t['amount']):,}".replace(",", ".")
        receipt = t["receipt"]
        lines = "".join(
            f"<li>{html.escape(str(f.get('TenPhiLePhi', '')))}: {html.escape(str(f.get('SoTien', '')))}</li>"
            for f in receipt.get("PhiLePhi", [])
        )
        body = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Nền tảng thanh toán (mô phỏng)</title></head>
<body><h1>Nền tảng thanh toán — Cổng Dịch vụ công quốc gia (mô phỏng)</h1>
<p>Hồ sơ: <b id="platform-dossier">{html.escape(str(receipt.get("MaHoSo", "")))}</b></p>
<p>Số tiền: <b id="platform-amount">{amount} VND</b></p><ul id="platform-fees">{lines}</ul>
<form method="post"><select name="bank" id="platform-bank"><option>VCB</option><option>BIDV</option></select>
<button name="choice" value="pay" id="platform-pay">Thanh toán</button>
<button name="choice" value="cancel" id="platform-cancel">Hủy giao dịch</button></form></body></html>"""
        return Response(200, body, {"Content-Type": "text/html; charset=utf-8"})

    @route("POST", "/pay/(?P<token>[^/]+)")
    def pay(self, request: Request) -> Response:
        ref = self.state["tokens"].get(request.params["token"])
        if ref is None:
            return Response(404, "Khong tim thay giao dich")
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8")).items()}
        fault = self.take_fault("pay") or {}
        builtin = self.apply_builtin(
            fault if fault.get("kind") in ("timeout", "http_500", "http_503", "drop") else None
        )
        if builtin:
            return builtin
        with self.lock:
            t = self.state["transactions"][ref]
            if t["status"] == "3":
                paid = form.get("choice") == "pay"
                self.state["seq"] += 1
                t["status"] = "1" if paid else "4"
                t["txn"] = f"PP{datetime.now(VN):%Y%m%d}{self.state['seq']:08d}" if paid else ""
                t["bank"] = form.get("bank", "VCB") if paid else ""
                t["paid_at"] = datetime.now(VN).strftime("%Y%m%d%H%M%S")
            self.save()
            partner = self._partner(t["partner"])
        assert partner is not None  # the transaction was made for a known partner
        message = self._confirm(ref, t, partner["callback_secret"])
        kind = fault.get("kind", "")
        if kind == "bad_signature":
            message["MaXacThuc"] = checksum(message, CONFIRM_ORDER, "not-the-platform-key")
        elif kind == "amount_changed":
            message["SoTien"] = str(int(t["amount"]) - 1000)
            message["MaXacThuc"] = checksum(message, CONFIRM_ORDER, partner["callback_secret"])
        copies = 2 if kind == "duplicate_callback" else 1
        if kind == "callback_before_redirect":
            self._deliver(partner["callback_url"], message, copies)
        elif kind != "no_callback":
            delay = float(fault.get("delay", 3)) if kind == "callback_late" else 0.3
            threading.Thread(
                target=self._deliver_later,
                args=(partner["callback_url"], message, copies, delay),
                daemon=True,
            ).start()
        back = partner["return_url"]
        query = urlencode({"MaThamChieu": ref, "MaLoi": message["MaLoi"]})
        return Response(302, b"", {"Location": f"{back}{'&' if '?' in back else '?'}{query}"})

    def _confirm(self, ref: str, t: dict, key: str) -> dict:
        message = {
            "LoaiBanTin": "CONFIRM",
            "MaLoi": "00" if t["status"] == "1" else "24",
            "MaDoiTac": t["partner"],
            "MaThamChieu": ref,
            "SoTien": t["amount"],
            "MaTienTe": "VND",
            "MaGiaoDich": t["txn"],
            "MaNganHang": t["bank"],
            "ThoiGianGD": t["time"],
            "ThongTinGiaoDich": t["info"],
        }
        message["MaXacThuc"] = checksum(message, CONFIRM_ORDER, key)
        return message

    def _deliver_later(self, url: str, message: dict, copies: int, delay: float) -> None:
        time.sleep(delay)
        self._deliver(url, message, copies)

    def _deliver(self, url: str, message: dict, copies: int) -> None:
        """POST the CONFIRM (each copy retried 3 times on a network error or 5xx); answers kept."""
        for _ in range(copies):
            answer: object = None
            for attempt in range(3):
                try:
                    req = urllib.request.Request(
                        url,
                        data=json.dumps(message).encode(),
                        method="POST",
                        headers={"Content-Type": "application/json"},
                    )
                    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - loopback
                        answer = json.loads(r.read() or b"null")
                    break
                except (urllib.error.URLError, OSError, ValueError) as exc:
                    answer = {"error": str(exc)}
                    time.sleep(0.5 * (attempt + 1))
            with self.lock:
                self.state["callbacks"].append({"message": message, "answer": answer})
                self.save()

    # -- QUERY and GET_BILL -------------------------------------------------------------------------
    def _checked(
        self, request: Request, kind: str
    ) -> tuple[dict | None, dict | None, Response | None]:
        msg = request.json() or {}
        partner = self._partner(str(msg.get("MaDoiTac", "")))
        if (
            partner is None
            or msg.get("LoaiBanTin") != kind
            or msg.get("MaXacThuc") != checksum(msg, SHORT_ORDER, partner["secret"])
        ):
            return None, None, Response(200, {"MaLoi": "97", "MoTaLoi": "Sai ma xac thuc"})
        t = self.state["transactions"].get(str(msg.get("MaThamChieu", "")))
        if t is None:
            return None, None, Response(200, {"MaLoi": "01", "MoTaLoi": "Khong tim thay giao dich"})
        return t, partner, None

    @route("POST", "/query")
    def query(self, request: Request) -> Response:
        fault = self.take_fault("query") or {}
        builtin = self.apply_builtin(
            fault if fault.get("kind") in ("timeout", "http_500", "http_503", "drop") else None
        )
        if builtin:
            return builtin
        t, partner, error = self._checked(request, "QUERY")
        if error:
            return error
        assert t is not None and partner is not None  # _checked gives an error or both
        ref = str((request.json() or {}).get("MaThamChieu"))
        answer = self._confirm(ref, t, partner["callback_secret"])
        answer["MaLoi"] = (
            "00"  # the look-up itself succeeded; TrangThaiGD says how the payment went
        )
        answer["TrangThaiGD"] = t["status"]
        answer["MaXacThuc"] = checksum(answer, CONFIRM_ORDER, partner["callback_secret"])
        if fault.get("kind") == "bad_signature":
            answer["MaXacThuc"] = checksum(answer, CONFIRM_ORDER, "not-the-platform-key")
        return Response(200, answer)

    @route("POST", "/bill")
    def bill(self, request: Request) -> Response:
        builtin = self.apply_builtin(self.take_fault("bill"))
        if builtin:
            return builtin
        t, _partner, error = self._checked(request, "GET_BILL")
        if error:
            return error
        assert t is not None  # _checked gives an error or the transaction
        if t["status"] != "1":
            return Response(200, {"MaLoi": "02", "MoTaLoi": "Giao dich chua thanh toan"})
        r = t["receipt"]
        pdf = minimal_pdf(
            [
                "BIEN LAI THU PHI, LE PHI (Nen tang thanh toan - mo phong)",
                f"Ma ho so: {r.get('MaHoSo', '')}",
                f"Ma thu tuc: {r.get('MaTTHC', '')}",
                f"So tien: {t['amount']} VND",
                f"Ma giao dich: {t['txn']}",
                f"Ngan hang: {t['bank']}",
                *(
                    f"{f.get('TenPhiLePhi', '')}: {f.get('SoTien', '')}"
                    for f in r.get("PhiLePhi", [])
                ),
            ]
        )
        return Response(200, pdf, {"Content-Type": "application/pdf"})
