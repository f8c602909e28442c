"""The service index of Decision 766/QĐ-TTg (Bộ chỉ số phục vụ người dân, doanh nghiệp), 100 points.

Split by job (issue 16): :mod:`dashboards.index766_scoring` holds the groups, the components (as
data) and their scoring, with the national method they follow; :mod:`dashboards.index766_queries`
the database queries for the figures the index reads beyond the dashboard summary (catalogue,
progress correction) and :func:`index_for`. Their public names are re-exported here.
"""

from __future__ import annotations

from .index766_queries import (
    catalogue_by_agency,
    catalogue_figures,
    index_for,
    progress_by_agency,
    progress_figures,
)
from .index766_scoring import (
    COMPONENTS,
    GROUPS,
    GROUPS_BY_KEY,
    NO_DATA,
    NOT_SATISFIED,
    NOTHING_TO_MEASURE,
    CatalogueFigures,
    Component,
    ComponentScore,
    Group,
    GroupScore,
    IndexInputs,
    Measure,
    ProgressFigures,
    Score,
    compute,
    score_component,
)

__all__ = [
    "COMPONENTS",
    "GROUPS",
    "GROUPS_BY_KEY",
    "NOTHING_TO_MEASURE",
    "NOT_SATISFIED",
    "NO_DATA",
    "CatalogueFigures",
    "Component",
    "ComponentScore",
    "Group",
    "GroupScore",
    "IndexInputs",
    "Measure",
    "ProgressFigures",
    "Score",
    "catalogue_by_agency",
    "catalogue_figures",
    "compute",
    "index_for",
    "progress_by_agency",
    "progress_figures",
    "score_component",
]
