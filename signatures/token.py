"""PKCS#11 tokens (SoftHSM2 in the demo and tests; a USB token or an HSM in production).

The PKCS#11 library is loaded lazily, once per process, and initialised again in every forked
Celery child (``worker_process_init``): a child inherits the parent's handles but not its login
state, and PKCS#11 (v2.40 §5.4) forbids using an initialised library across ``fork``. A session is
opened per signing with the PIN the official has just typed, and closed (logged out) right after:
a long-lived logged-in session would let anything in the process sign without the PIN.
PINs are never logged or stored.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pkcs11
from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Lib

_lock = threading.RLock()
_state: dict[str, object] = {}


class TokenError(Exception):
    """A token problem worth telling the user (wrong PIN, token missing)."""


def softhsm_conf() -> Path:
    """Write (once) a SoftHSM2 config with its tokens under ``PORTAL_VAR_DIR`` and point
    ``SOFTHSM2_CONF`` at it, unless the environment already names one."""
    if os.environ.get("SOFTHSM2_CONF"):
        return Path(os.environ["SOFTHSM2_CONF"])
    base = Path(settings.VAR_DIR) / "softhsm"
    tokens = base / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = base / "softhsm2.conf"
    if not conf.exists():
        conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    return conf


def get_lib() -> Pkcs11Lib:
    """The process's PKCS#11 library, (re)initialised after a fork."""
    with _lock:
        if _state.get("pid") != os.getpid():
            if "softhsm" in settings.PKCS11_MODULE:
                softhsm_conf()
            lib = pkcs11.lib(settings.PKCS11_MODULE)
            if _state.get("pid") is not None:
                lib.reinitialize()
            _state.update(pid=os.getpid(), lib=lib)
        return cast("Pkcs11Lib", _state["lib"])


def reset_after_fork(**_kwargs: object) -> None:
    """Celery ``worker_process_init`` hook: the child initialises the library for itself."""
    with _lock:
        lib = cast("Pkcs11Lib | None", _state.get("lib"))
        if lib is not None:
            lib.reinitialize()
            _state["pid"] = os.getpid()


def rescan() -> None:
    """SoftHSM only sees tokens present at C_Initialize: re-initialise after creating one."""
    with _lock:
        get_lib().reinitialize()


def get_token(label: str) -> pkcs11.Token:
    """The token ``label``. SoftHSM (like a PKCS#11 library whose slot list is read at
    C_Initialize) does not see a token created by another process after this one loaded the
    library, e.g. a certificate issued from the admin or ``manage.py`` while the portal runs:
    on a miss the library is initialised again once before the token is called missing."""
    try:
        return get_lib().get_token(token_label=label)
    except pkcs11.NoSuchToken:
        rescan()
    try:
        return get_lib().get_token(token_label=label)
    except pkcs11.NoSuchToken as exc:
        raise TokenError(
            _("The signing token %(label)s is not connected.") % {"label": label}
        ) from exc


@contextmanager
def session(label: str, pin: str, *, rw: bool = False) -> Iterator[pkcs11.Session]:
    """A logged-in session on the token ``label``; logged out and closed on exit."""
    token = get_token(label)
    try:
        sess = token.open(user_pin=pin, rw=rw)
    except (pkcs11.PinIncorrect, pkcs11.PinLenRange, pkcs11.ArgumentsBad) as exc:
        raise TokenError(_("The PIN is not correct.")) from exc
    except pkcs11.PinLocked as exc:
        raise TokenError(
            _("The token is locked after too many wrong PINs; ask the administrator.")
        ) from exc
    try:
        yield sess
    finally:
        sess.close()


def init_softhsm_token(*, label: str, pin: str, so_pin: str) -> None:
    """Create a SoftHSM2 token in a free slot (``softhsm2-util --init-token --free``)."""
    softhsm_conf()
    result = subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            so_pin,
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if result.returncode != 0:
        raise TokenError(
            _("Could not create the token: %(err)s") % {"err": result.stderr.strip()[:200]}
        )
    if _state.get("lib") is not None:
        rescan()
