"""Dossiers (hồ sơ thủ tục hành chính) and their append-only, hash-chained history.

Every write goes through :mod:`dossiers.services`; reads that depend on who asks through
:mod:`dossiers.selectors`. The fields named "for the national portal" are kept as the national
portal expects them (status code, channel, submission/reception/due/finish/return times,
supplement cycles) for later syncing.

The models live in modules by job (issue 16) and are all importable from here, as migrations,
``dossiers.models.X`` and the app registry expect.
"""

# ruff: noqa: I001  (the imports below keep the order the models register in, as before the split)
from __future__ import annotations

from .dossier import (  # noqa: F401
    Dossier,
    DossierCodeCounter,
    DossierFile,
    dossier_file_path,
    new_tracking_token,
    result_file_path,
)
from .steps import (  # noqa: F401
    Apology,
    DossierStep,
    SupplementRequest,
)
from .history import (  # noqa: F401
    AppendOnlyError,
    DossierEvent,
    DossierEventQuerySet,
    GENESIS_HASH,
)
from .documents import (  # noqa: F401
    PrintedForm,
    StoredDocument,
    StoredDocumentKind,
    StoredDocumentSource,
    printed_form_path,
)

# Signed checkpoints of the history heads (kept in their own module).
from ..checkpoint_models import HistoryCheckpoint, HistoryCheckpointHead  # noqa: E402,F401
