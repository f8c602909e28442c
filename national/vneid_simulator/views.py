"""The simulator's own pages: health and the fault switch (loopback, control token)."""

from __future__ import annotations

import hmac
import json
import os

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import faults


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@csrf_exempt
def fault_plan(request: HttpRequest) -> JsonResponse:
    """``POST /_sim/faults`` ``{"faults": ["alg_none"]}`` arms faults; ``{"reset": true}`` clears."""
    token = os.environ.get("VNEID_SIM_CONTROL_TOKEN", "")
    given = request.headers.get("X-Sim-Control", "")
    if not token or not hmac.compare_digest(token, given):
        return JsonResponse({"error": "forbidden"}, status=403)
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
            if body.get("reset"):
                faults.reset()
            faults.arm(list(body.get("faults", [])))
        except (ValueError, TypeError) as exc:
            return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"armed": faults.armed()})
