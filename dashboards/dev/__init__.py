"""Development tools of the dashboards: the province generator and its streaming COPY.

Only ``manage.py generate_province``, the tests and ``bench/`` import this package; production code
does not (a contract in ``.importlinter``). The summary tables' full rebuild keeps what it needs in
:mod:`dashboards.summary.bulk`.
"""
