"""Supervisors' reports: KPIs of a period, per counselor, by category, hour and day, and trend.

- `period`: the local days a report covers, as a UTC interval;
- `sql`: the expressions that differ between SQLite and PostgreSQL;
- `summary`, `counselors`, `breakdowns`, `trend`: the reports (SQL, no request);
- `csv_export`: CSV of every report and of the calls of a period;
- `rollups`: the sums per local day that long periods are read from;
- `api`, `pages`: `/api/reports/…` and the `/reports` page.
"""

# Imported for its listener, which keeps the presence rollup with every presence change.
from helpline.reports import rollups  # noqa: F401
