"""The emails on-call reads: what failed, on which rows, what it means, where to look, what to do.

Each email has the same content twice, as plain text and as HTML: the failed checks with
their count and the keys of a few offending rows, whether anything was published, links
to the Airflow run and task log and to the Data Docs page, and the runbook. A fault
that stays is reported once; its end is reported as "recovered".
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from globalcart.notifications import NO_LINKS, Links

if TYPE_CHECKING:
    from globalcart.quality.decision import GateDecision
    from globalcart.warehouse.reconcile import ReconcileSummary

RUNBOOK_PAGE, RUNBOOK_SECTION = "quality-gate", "when-a-data-quality-alert-arrives"
PREFIX = "[GlobalCart 360]"


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    text: str


def _tables(publication: str) -> str:
    return "KPI tables" if publication == "KPIs" else f"{publication} tables"


def _sample_rows(sample: list) -> tuple[list[str], list[list[str]]]:
    """A sample as columns and rows of text (rows of a query, or bare values of a column)."""
    if sample and all(isinstance(row, dict) for row in sample):
        columns = list(dict.fromkeys(key for row in sample for key in row))
        return columns, [[_cell(row.get(column)) for column in columns] for row in sample]
    return ["value"], [[_cell(value)] for value in sample]


def _cell(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _html_sample(sample: list) -> str:
    if not sample:
        return ""
    columns, rows = _sample_rows(sample)
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table border="1" cellpadding="3" style="border-collapse:collapse"><tr>{head}</tr>{body}</table>'


def _text_sample(sample: list) -> list[str]:
    if not sample:
        return []
    columns, rows = _sample_rows(sample)
    return ["      " + ", ".join(columns), *("      " + ", ".join(row) for row in rows)]


def _link_lines(links: Links, data_docs: str | None) -> list[tuple[str, str]]:
    found = [
        ("Airflow run", links.run),
        ("Task log", links.task_log),
        ("Data Docs", links.data_docs(data_docs)),
        ("Runbook", links.docs(RUNBOOK_PAGE, RUNBOOK_SECTION)),
    ]
    return [(label, url) for label, url in found if url]


def _html_links(links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li>{label}: <a href="{html.escape(url)}">{html.escape(url)}</a></li>' for label, url in links)
    return f"<ul>{items}</ul>"


def gate_alert(decision: GateDecision, links: Links = NO_LINKS) -> Email:
    """The data-quality alert for a gate that failed checks (blocked, or warnings only)."""
    failed = decision.failed_critical + decision.failed_warning
    tables = _tables(decision.publication)
    if decision.blocks_publication:
        count = len(decision.failed_critical)
        what = f"{count} critical check{'s' if count > 1 else ''} failed, {decision.publication} NOT published"
        readers = (
            "BI, Excel and the analytics keep reading the last good publication. The star schema itself was loaded."
            if decision.publication == "KPIs"
            else "Their readers keep the last good publication."
        )
        verdict = f"Publication is blocked: the {tables} in marts are unchanged. {readers}"
    else:
        count = len(decision.failed_warning)
        what = f"{count} warning{'s' if count > 1 else ''}, {decision.publication} published"
        verdict = f"Only warnings failed: the {tables} were published. Look into them before they grow."
    subject = f"{PREFIX} Data quality: {what} (run {decision.run_id})"
    passed = sum(1 for r in decision.results if r.success)
    summary = (
        f"The data-quality gate of run {decision.run_id} found {len(decision.failed_critical)} critical and "
        f"{len(decision.failed_warning)} warning failure(s); {passed} of {len(decision.results)} checks passed."
    )
    data_docs = next((r.data_docs for r in decision.results if r.data_docs), None)
    found_links = _link_lines(links, data_docs)
    advice = (
        "What to do: find the rows above in the warehouse, fix the cause (source data, a pipeline bug, or a "
        "threshold that no longer fits), then run the DAG again; the gate re-checks everything changed since "
        "the last publication and publishes once it passes. You will not get this email again while the same "
        "checks keep failing; a 'recovered' email says when they pass."
    )

    text = [subject, "", summary, verdict, "", "Failed checks (severity, rows, sample keys):"]
    for r in failed:
        count_text = "" if r.unexpected_count is None else f", {r.unexpected_count:,} rows"
        text.append(f"  - {r.name} ({r.severity}{count_text}): {r.description}")
        text += [f"      error: {r.error}"] if r.error else _text_sample(r.sample)
    text += ["", *(f"{label}: {url}" for label, url in found_links), "", advice]
    text += ["", f"All results: the rows of audit.quality_results with run_id '{decision.run_id}'."]

    rows = "".join(
        "<tr>"
        f"<td><b>{html.escape(r.name)}</b><br>{html.escape(r.description)}</td>"
        f"<td>{html.escape(r.severity)}</td><td>{html.escape(r.suite)}</td>"
        f"<td>{'' if r.unexpected_count is None else f'{r.unexpected_count:,}'}</td>"
        f"<td>{html.escape(r.error) if r.error else _html_sample(r.sample)}</td>"
        "</tr>"
        for r in failed
    )
    body = f"""
<p>{html.escape(summary)}</p>
<p><b>{html.escape(verdict)}</b></p>
<table border="1" cellpadding="4" style="border-collapse:collapse">
<tr><th>check</th><th>severity</th><th>suite</th><th>rows</th><th>sample (up to 5 rows, keys first)</th></tr>
{rows}
</table>
{_html_links(found_links)}
<p>{html.escape(advice)}</p>
<p>All results: the rows of <code>audit.quality_results</code> with run_id
<code>{html.escape(decision.run_id)}</code>.</p>
"""
    return Email(subject, body, "\n".join(text) + "\n")


def gate_recovered(
    decision: GateDecision, failing_since: datetime, failed_before: list[str], links: Links = NO_LINKS
) -> Email:
    """The gate passes again after a fault that was alerted."""
    subject = f"{PREFIX} Data quality recovered: {decision.publication} publish again (run {decision.run_id})"
    lines = [
        f"The data-quality gate of run {decision.run_id} passes: the checks that failed since "
        f"{failing_since:%Y-%m-%d %H:%M} UTC ({', '.join(failed_before) or 'none'}) pass again.",
        f"The {_tables(decision.publication)} of this run are published next.",
    ]
    return _plain_email(subject, lines, _link_lines(links, None))


def freshness_alert(
    what: str, limit_minutes: int, last_published: datetime | None, reason: str, links: Links = NO_LINKS
) -> Email:
    """Nothing has been published for longer than the freshness limit, whatever the reason."""
    since = f"{last_published:%Y-%m-%d %H:%M} UTC" if last_published else "never"
    subject = f"{PREFIX} Stale: {what} not published for over {limit_minutes} minutes (last: {since})"
    lines = [
        f"The {what} were last published {since}; the freshness limit is {limit_minutes} minutes.",
        reason,
        "Readers keep the last publication. Look at the DAG's recent runs: failed tasks, a blocked quality "
        "gate, or runs that never started (scheduler, workers, the execution API). You will not get this "
        "email again until publication resumes; a 'recovered' email says when.",
    ]
    found = [(label, url) for label, url in (("Airflow run", links.run), ("Runbook", links.docs("runbook"))) if url]
    return _plain_email(subject, lines, found)


def freshness_recovered(what: str, stale_since: datetime, published_at: datetime, links: Links = NO_LINKS) -> Email:
    subject = f"{PREFIX} Recovered: {what} published again ({published_at:%Y-%m-%d %H:%M} UTC)"
    lines = [
        f"The {what} were published at {published_at:%Y-%m-%d %H:%M} UTC, after being stale since "
        f"{stale_since:%Y-%m-%d %H:%M} UTC.",
    ]
    return _plain_email(subject, lines, [(label, url) for label, url in (("Airflow run", links.run),) if url])


def _plain_email(subject: str, lines: list[str], links: list[tuple[str, str]]) -> Email:
    text = "\n".join([subject, "", *lines, "", *(f"{label}: {url}" for label, url in links)]) + "\n"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines) + (_html_links(links) if links else "")
    return Email(subject, body, text)


def drift_alert(summary: ReconcileSummary, links: Links = NO_LINKS) -> Email:
    """The mirror differs from the source: which tables, how many keys of each kind, and what happens next."""
    tables = summary.drifted
    subject = (
        f"{PREFIX} Drift: the mirror differs from the source in {summary.keys_differing:,} keys"
        f" of {len(tables)} table{'s' if len(tables) != 1 else ''} ({', '.join(t.table_name for t in tables)})"
    )
    lines = [f"Reconciliation {summary.reconcile_id} compared the mirror with the source, table by table."]
    for table in tables:
        counts = table.counts()
        lines.append(
            f"{table.table_name}: {counts['missing_in_mirror']:,} missing in the mirror,"
            f" {counts['deleted_in_source']:,} deleted in the source, {counts['differs']:,} differing"
            f" (e.g. {', '.join(sorted(table.keys)[:5])})."
        )
    lines += [
        "Something wrote the source without moving updated_at forward (a manual fix, an updated_at set back,"
        " a row inserted with an old one) or deleted rows there. The keys are in audit.mirror_drift.",
        "What happens next: the next incremental run re-extracts exactly these keys whatever their updated_at,"
        " lets the source's version win, removes from the mirror and the facts the rows the source deleted,"
        " and marks them healed; its quality gate checks the KPIs before they are published. Nothing to do"
        " unless the same keys drift again: then find the writer that bypasses updated_at.",
    ]
    found = [(label, url) for label, url in (("Airflow run", links.run), ("Runbook", links.docs("runbook"))) if url]
    return _plain_email(subject, lines, found)
