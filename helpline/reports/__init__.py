"""Supervisors' reports: KPIs of a period, per counselor, by category, hour and day, and trend.

- `period`: the local days a report covers, as a UTC interval;
- `sql`: the expressions that differ between SQLite and PostgreSQL;
- `summary`, `counselors`, `breakdowns`, `trend`: the reports (SQL, no request);
- `csv_export`: CSV of every report and of the calls of a period;
- `api`, `pages`: `/api/reports/…` and the `/reports` page.
"""
