"""The generic workflow engine (ground floor): a transition is data (:class:`Row`) plus one effect
function; :class:`Workflow.run` does lock → check → effect → status/stage/clock → history →
notifications → printed form in one transaction. Dossiers and documents declare their own tables
on it (``dossiers/workflow.py``, ``documents/workflow.py``)."""

from .engine import Clock, Row, Step, Visibility, Workflow, row

__all__ = ["Clock", "Row", "Step", "Visibility", "Workflow", "row"]
