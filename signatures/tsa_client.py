"""A small RFC 3161 client for pyHanko over the standard library's ``http.client``.

pyHanko's aiohttp client opens a new HTTP session (and TLS context) for every request because
each synchronous signing runs its own event loop; on a loopback or LAN TSA that set-up cost more
than the time-stamp itself. This client makes one plain HTTP POST per time-stamp (standard library ``http.client``).
"""

from __future__ import annotations

import http.client
import socket
import urllib.parse

from asn1crypto import tsp
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers


class HttpTimeStamper(TimeStamper):
    def __init__(self, url: str, *, timeout: float = 10, headers: dict | None = None):
        super().__init__()
        self.url, self.timeout, self.headers = url, timeout, headers or {}

    def _post(self, data: bytes) -> bytes:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TimestampRequestError(f"Unsupported time-stamp authority address: {self.url}")
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = connection_class(parts.hostname, parts.port, timeout=self.timeout)
        headers = set_tsp_headers(dict(self.headers))
        headers["Content-Length"] = str(len(data))
        try:
            conn.connect()
            # http.client writes the headers and the body in two send() calls: with Nagle's
            # algorithm the body then waits for the server's delayed ACK (~40 ms on Linux).
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.request(
                "POST",
                parts.path + (f"?{parts.query}" if parts.query else "") or "/",
                body=data,
                headers=headers,
            )
            response = conn.getresponse()
            status, content_type, body = (
                response.status,
                response.getheader("Content-Type", ""),
                response.read(),
            )
        except (OSError, http.client.HTTPException) as exc:
            raise TimestampRequestError(f"Time-stamp authority unreachable: {exc}") from exc
        finally:
            conn.close()
        if status != 200:
            raise TimestampRequestError(f"Time-stamp authority answered HTTP {status}")
        if content_type.split(";")[0].strip() != "application/timestamp-reply":
            raise TimestampRequestError(f"Unexpected content type from the TSA: {content_type}")
        return body

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # Blocking on purpose: signing runs in a synchronous worker or request (asyncio.run), and
        # one loopback/LAN round trip is cheaper than handing it to a thread.
        return tsp.TimeStampResp.load(self._post(req.dump()))
