"""A small RFC 3161 client for pyHanko over ``urllib``.

pyHanko's aiohttp client opens a new HTTP session (and TLS context) for every request because
each synchronous signing runs its own event loop; on a loopback or LAN TSA that set-up cost more
than the time-stamp itself. This client makes one plain HTTP POST per time-stamp.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from asn1crypto import tsp
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers


class UrllibTimeStamper(TimeStamper):
    def __init__(self, url: str, *, timeout: float = 10, headers: dict | None = None):
        super().__init__()
        self.url, self.timeout, self.headers = url, timeout, headers or {}

    def _post(self, data: bytes) -> bytes:
        request = urllib.request.Request(self.url, data=data, headers=set_tsp_headers(dict(self.headers)), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured TSA URL
                content_type = response.headers.get("Content-Type", "")
                body = response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TimestampRequestError(f"Time-stamp authority unreachable: {exc}") from exc
        if content_type.split(";")[0].strip() != "application/timestamp-reply":
            raise TimestampRequestError(f"Unexpected content type from the TSA: {content_type}")
        return body

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # Blocking on purpose: signing runs in a synchronous worker or request (asyncio.run), and
        # one loopback/LAN round trip is cheaper than handing it to a thread.
        return tsp.TimeStampResp.load(self._post(req.dump()))
