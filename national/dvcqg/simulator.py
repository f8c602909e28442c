"""A simulator of the national public-service portal's integration API (DVCQG), run by
:mod:`national.simkit` as a separate process on loopback.

Written from the shapes the public implementations use (docs/national/dvcqg.md): a session
login with a ``dstcode`` header, ``POST`` JSON ``{session, madonvi, service, ...}``, dates
``yyyyMMddHHmmss``, ``error_code "00"`` on success; the services ``DongBoHoSoMC`` (upsert),
``CapNhatTienDoHoSoMC`` (progress steps), ``TraCuuHoSo``, ``LayDanhSachTTHC``, ``LayThuTuc``,
``LayDanhMucCoQuan``, ``LayDanhMucLinhVuc``; and dossiers filed on DVCQG, pushed to the province
(signed with the simulator's ECDSA P-256 key) or fetched by the province's poll
(``LayDanhSachHoSoMoi``, acknowledged with ``XacNhanDaNhanHoSo`` — names of our own: the guide
that would name them is not public).

Control routes for tests and the demo (besides simkit's ``/_sim/*``):

* ``POST /_sim/config`` – ``{"push_url", "session_ttl", "username", "password", "dstcode"}``;
* ``POST /_sim/catalogue`` – ``{"procedures": [...], "agencies": [...], "sectors": [...]}``;
* ``POST /_sim/file`` – a citizen files a dossier on DVCQG (it is then pushed / offered to the poll);
* ``GET /_sim/public-key`` – the PEM public key the province configures (``DVCQG_PUSH_PUBLIC_KEY``).

Faults (``match`` = the service name, ``login`` or ``push``): simkit's ``timeout``, ``http_500``,
``http_503``, ``drop``; and ``error_code`` (answer ``{"error_code": fault["code"] or "99"}``),
``expire_session`` (every session dies, the call is answered with the session error "02"),
``ack_lost`` (the call is applied, then the connection is dropped: the client must resend and
the simulator must not record it twice), ``duplicate`` (a push is delivered twice),
``out_of_order`` (the pending pushes go out newest first).

State (persisted, so a kill -9 in the middle of a batch loses nothing that was acknowledged):
``dossiers`` by MaHoSo with their ``progress`` steps and, for a dossier filed with an e-form, its
structured form data (``DuLieuBieuMau``, ``TenBieuMau``, ``KyHieuBieuMau``: stored as sent and
returned by ``TraCuuHoSo``; a ``DuLieuBieuMau`` that is not a JSON object is refused with "08"); counters ``duplicates`` (a step or upsert
seen again, not recorded twice) and ``out_of_order`` (a step older than the last one recorded).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from national.dvcqg.signing import signing_string
from national.simkit import Dropped, Request, Response, Simulator, route

DATE_FORMAT = "%Y%m%d%H%M%S"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REQUIRED_DOSSIER_FIELDS = ("MaHoSo", "MaTTHC", "TrangThaiHoSo", "NgayTiepNhan", "KenhThucHien")
REQUIRED_STEP_FIELDS = ("MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "TrangThai")
#: Services that change the state: journalled (simkit ``commit``), not a rewrite of the whole
#: state per call (which made the simulator, not the adapter, the bottleneck of bench/dvcqg_sync).
#: The look-ups change only the call counters, which a crash may lose.
JOURNALED = {"DongBoHoSoMC", "CapNhatTienDoHoSoMC", "XacNhanDaNhanHoSo"}


def _valid_date(value: Any) -> bool:
    if value in (None, ""):
        return True
    try:
        datetime.strptime(str(value), DATE_FORMAT).replace(tzinfo=VN_TZ)
    except ValueError:
        return False
    return True


class DvcqgSimulator(Simulator):
    name = "dvcqg"

    def __init__(self, state_file: Any = None) -> None:
        super().__init__(state_file)
        if not self.state.get("private_key"):
            key = ec.generate_private_key(ec.SECP256R1())
            self.state["private_key"] = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            self.save()
        self._stop = threading.Event()
        threading.Thread(target=self._pusher, name="dvcqg-pusher", daemon=True).start()

    def initial_state(self) -> dict:
        key = getattr(self, "state", {}).get("private_key", "")
        return {
            "config": {
                "username": "tinh",
                "password": "demo-dvcqg-password",
                "dstcode": "H18",
                "session_ttl": 3600,
                "push_url": "",
            },
            "private_key": key,
            "sessions": {},
            "dossiers": {},
            "catalogue": {"procedures": [], "agencies": [], "sectors": []},
            "inbound": [],
            "calls": {},
            "duplicates": 0,
            "out_of_order": 0,
            "rejected": 0,
            "pushes": 0,
        }

    # -- helpers -------------------------------------------------------------------------------
    def _count(self, op: str) -> None:
        self.state["calls"][op] = self.state["calls"].get(op, 0) + 1

    def _private_key(self) -> ec.EllipticCurvePrivateKey:
        return serialization.load_pem_private_key(self.state["private_key"].encode(), password=None)  # type: ignore[return-value]

    def _fault_answer(self, op: str) -> tuple[dict | None, Response | None]:
        fault = self.take_fault(op)
        builtin = self.apply_builtin(fault)
        if builtin is not None:
            return fault, builtin
        if fault and fault["kind"] == "error_code":
            return fault, Response(
                200,
                {"error_code": str(fault.get("code", "99")), "message": "Lỗi hệ thống (mô phỏng)"},
            )
        if fault and fault["kind"] == "expire_session":
            with self.lock:
                self.state["sessions"] = {}
                self.save()
        return fault, None

    # -- login ---------------------------------------------------------------------------------
    @route("POST", "/login")
    def login(self, request: Request) -> Response:
        _, answer = self._fault_answer("login")
        if answer is not None:
            return answer
        cfg = self.state["config"]
        if request.headers.get("dstcode") != cfg["dstcode"]:
            return Response(200, {"error_code": "03", "message": "dstcode không hợp lệ"})
        body = request.json() or {}
        if body.get("username") != cfg["username"] or body.get("password") != cfg["password"]:
            return Response(200, {"error_code": "01", "message": "Sai tên đăng nhập hoặc mật khẩu"})
        token = secrets.token_hex(16)
        with self.lock:
            self.state["sessions"][token] = time.time() + float(cfg.get("session_ttl", 3600))
            self._count("login")
            self.save()
        return Response(200, {"error_code": "00", "message": "Thành công", "session": token})

    # -- services ------------------------------------------------------------------------------
    @route("POST", "/service")
    def service(self, request: Request) -> Response:
        try:
            body = request.json() or {}
        except (ValueError, UnicodeDecodeError):
            return Response(400, {"error_code": "98", "message": "JSON không hợp lệ"})
        op = str(body.get("service", ""))
        fault, answer = self._fault_answer(op)
        if answer is not None:
            return answer
        cfg = self.state["config"]
        if request.headers.get("dstcode") != cfg["dstcode"]:
            return Response(200, {"error_code": "03", "message": "dstcode không hợp lệ"})
        with self.lock:
            expires = self.state["sessions"].get(str(body.get("session", "")))
            if expires is None or expires < time.time():
                return Response(200, {"error_code": "02", "message": "Phiên làm việc hết hạn"})
            if not body.get("madonvi"):
                return Response(200, {"error_code": "05", "message": "Thiếu madonvi"})
            handler = getattr(self, f"_svc_{op}", None)
            if handler is None:
                return Response(
                    200, {"error_code": "06", "message": f"Dịch vụ không tồn tại: {op}"}
                )
            self._count(op)
            result = handler(body)
            if op in JOURNALED:
                self.commit(
                    {"op": op, "body": {k: body.get(k) for k in ("madonvi", "data", "MaHoSo")}}
                )
        if fault and fault["kind"] == "ack_lost":
            raise Dropped()
        return Response(200, result)

    def _svc_DongBoHoSoMC(self, body: dict) -> dict:  # noqa: N802 - the service's name
        items = body.get("data")
        if not isinstance(items, list) or not items:
            return {"error_code": "07", "message": "Thiếu data"}
        for item in items:
            missing = [f for f in REQUIRED_DOSSIER_FIELDS if not item.get(f)]
            bad_dates = [
                f
                for f in ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayNopHoSo")
                if not _valid_date(item.get(f))
            ]
            form = item.get("DuLieuBieuMau")
            if form is not None and not isinstance(form, dict):
                bad_dates.append("DuLieuBieuMau")  # the e-form data is an object (issue 18)
            if (
                missing
                or bad_dates
                or str(item.get("TrangThaiHoSo")) not in {str(i) for i in range(1, 11)}
            ):
                self.state["rejected"] += 1
                return {
                    "error_code": "08",
                    "message": f"Dữ liệu không hợp lệ: {missing + bad_dates}",
                }
        for item in items:
            record = self.state["dossiers"].setdefault(
                item["MaHoSo"], {"progress": [], "upserts": 0}
            )
            record.update(item)
            record["madonvi"] = body["madonvi"]
            record["upserts"] += 1
        return {"error_code": "00", "message": "Đồng bộ thành công"}

    def _svc_CapNhatTienDoHoSoMC(self, body: dict) -> dict:  # noqa: N802
        items = body.get("data")
        if not isinstance(items, list) or not items:
            return {"error_code": "07", "message": "Thiếu data"}
        for item in items:
            if any(not item.get(f) for f in REQUIRED_STEP_FIELDS) or not _valid_date(
                item.get("ThoiDiemXuLy")
            ):
                self.state["rejected"] += 1
                return {"error_code": "08", "message": "Dữ liệu tiến độ không hợp lệ"}
            if item["MaHoSo"] not in self.state["dossiers"]:
                return {"error_code": "04", "message": f"Hồ sơ không tồn tại: {item['MaHoSo']}"}
        for item in items:
            progress = self.state["dossiers"][item["MaHoSo"]]["progress"]
            key = [
                item.get(k, "") for k in ("ThoiDiemXuLy", "TrangThai", "NguoiXuLy", "NoiDungXuLy")
            ]
            if any(
                [p.get(k, "") for k in ("ThoiDiemXuLy", "TrangThai", "NguoiXuLy", "NoiDungXuLy")]
                == key
                for p in progress
            ):
                self.state["duplicates"] += 1
                continue
            if progress and str(item["ThoiDiemXuLy"]) < str(progress[-1]["ThoiDiemXuLy"]):
                self.state["out_of_order"] += 1
            progress.append(item)
        return {"error_code": "00", "message": "Cập nhật tiến độ thành công"}

    def _svc_TraCuuHoSo(self, body: dict) -> dict:  # noqa: N802
        code = str(body.get("mahoso") or body.get("MaHoSo") or "")
        record = self.state["dossiers"].get(code)
        if record is None:
            return {"error_code": "04", "message": "Không tìm thấy hồ sơ", "result": []}
        return {"error_code": "00", "result": [{**record, "SoTienDo": len(record["progress"])}]}

    def _svc_LayDanhSachTTHC(self, body: dict) -> dict:  # noqa: N802
        return {
            "error_code": "00",
            "result": [
                {
                    "MATTHC": p["MATTHC"],
                    "TENTTHC": p["TENTTHC"],
                    "MALINHVUC": p.get("MALINHVUC", ""),
                    "TENLINHVUC": p.get("TENLINHVUC", ""),
                }
                for p in self.state["catalogue"]["procedures"]
            ],
        }

    def _svc_LayThuTuc(self, body: dict) -> dict:  # noqa: N802
        code = str(body.get("maTTHC") or body.get("MaTTHC") or "")
        found = [p for p in self.state["catalogue"]["procedures"] if p["MATTHC"] == code]
        if not found:
            return {"error_code": "04", "message": "Không tìm thấy thủ tục", "result": []}
        return {"error_code": "00", "result": found}

    def _svc_LayDanhMucCoQuan(self, body: dict) -> dict:  # noqa: N802
        return {"error_code": "00", "result": self.state["catalogue"]["agencies"]}

    def _svc_LayDanhMucLinhVuc(self, body: dict) -> dict:  # noqa: N802
        return {"error_code": "00", "result": self.state["catalogue"]["sectors"]}

    def _svc_LayDanhSachHoSoMoi(self, body: dict) -> dict:  # noqa: N802 - the poll (our name)
        madonvi = body["madonvi"]
        return {
            "error_code": "00",
            "result": [
                item["payload"]
                for item in self.state["inbound"]
                if not item["acknowledged"] and item["payload"].get("MaDonViNhan", madonvi)
            ],
        }

    def _svc_XacNhanDaNhanHoSo(self, body: dict) -> dict:  # noqa: N802 - the poll's acknowledgement (our name)
        codes = set(body.get("MaHoSo") or [])
        for item in self.state["inbound"]:
            if item["payload"]["MaHoSo"] in codes:
                item["acknowledged"] = True
        return {"error_code": "00"}

    def replay(self, entry: dict) -> None:
        self._count(entry["op"])
        getattr(self, f"_svc_{entry['op']}")(entry["body"])

    # -- control routes ------------------------------------------------------------------------
    @route("POST", "/_sim/config")
    def _config(self, request: Request) -> Response:
        with self.lock:
            self.state["config"].update(request.json() or {})
            self.save()
        return Response(200, {"ok": True, "config": self.state["config"]})

    @route("POST", "/_sim/catalogue")
    def _catalogue(self, request: Request) -> Response:
        with self.lock:
            self.state["catalogue"].update(request.json() or {})
            self.save()
        return Response(200, {"ok": True})

    @route("GET", "/_sim/public-key")
    def _public_key(self, request: Request) -> Response:
        pem = (
            self._private_key()
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return Response(200, pem.decode())

    @route("POST", "/_sim/file")
    def _file(self, request: Request) -> Response:
        """A citizen files a dossier on DVCQG: kept until the province acknowledges it."""
        payload = request.json() or {}
        with self.lock:
            payload.setdefault(
                "MaHoSo",
                f"{payload.get('MaDonViNhan', 'G00')}-{datetime.now(VN_TZ):%y%m%d}-{len(self.state['inbound']) + 1:07d}",
            )
            payload.setdefault("NgayNopHoSo", datetime.now(VN_TZ).strftime(DATE_FORMAT))
            payload.setdefault("KenhThucHien", "2")
            self.state["inbound"].append(
                {"payload": payload, "pushed": False, "acknowledged": False, "attempts": 0}
            )
            self.save()
        return Response(200, {"ok": True, "MaHoSo": payload["MaHoSo"]})

    # -- pushes --------------------------------------------------------------------------------
    def sign(self, method: str, url: str, body: bytes) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = self._private_key().sign(
            signing_string(method, urlsplit(url).path, timestamp, nonce, body),
            ec.ECDSA(hashes.SHA256()),
        )
        return {
            "Content-Type": "application/json",
            "X-DVCQG-Timestamp": timestamp,
            "X-DVCQG-Nonce": nonce,
            "X-DVCQG-Signature": base64.b64encode(signature).decode(),
        }

    def _push_one(self, url: str, payload: dict) -> bool:
        body = json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(
            url, data=body, method="POST", headers=self.sign("POST", url, body)
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback portal
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError):
            return False

    def _pusher(self) -> None:
        while not self._stop.wait(0.3):
            with self.lock:
                url = self.state["config"].get("push_url")
                pending = [
                    item
                    for item in self.state["inbound"]
                    if not item["pushed"] and not item["acknowledged"]
                ]
            if not url or not pending:
                continue
            fault = self.take_fault("push")
            if fault and fault["kind"] == "out_of_order":
                pending = list(reversed(pending))
            for item in pending:
                if fault and fault["kind"] in ("http_500", "drop", "timeout"):
                    break  # the push "fails": tried again next round (or the province polls)
                ok = self._push_one(url, item["payload"])
                if ok and fault and fault["kind"] == "duplicate":
                    self._push_one(url, item["payload"])
                with self.lock:
                    item["attempts"] += 1
                    self.state["pushes"] += 1
                    if ok:
                        item["pushed"] = item["acknowledged"] = True
                    self.save()
