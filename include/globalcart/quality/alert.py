"""The data-quality alert email: what failed, on which rows, what it means and what to do.

The email names every failed check with its count and a few of the rows that
broke it, the run, and where the full results are.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from globalcart.quality.decision import GateDecision

RUNBOOK = 'docs/quality-gate.md, section "When a data-quality alert arrives"'


def subject(decision: GateDecision) -> str:
    if decision.blocks_publication:
        count = len(decision.failed_critical)
        what = f"{count} critical check{'s' if count > 1 else ''} failed, {decision.publication} NOT published"
    else:
        count = len(decision.failed_warning)
        what = f"{count} warning{'s' if count > 1 else ''}, {decision.publication} published"
    return f"[GlobalCart 360] Data quality: {what} (run {decision.run_id})"


def _sample_table(sample: list) -> str:
    if not sample:
        return ""
    if all(isinstance(row, dict) for row in sample):
        columns = list(dict.fromkeys(key for row in sample for key in row))
        head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(row.get(column, '')))}</td>" for column in columns) + "</tr>"
            for row in sample
        )
        return f'<table border="1" cellpadding="3" style="border-collapse:collapse">{head}{body}</table>'
    values = ", ".join(html.escape(json.dumps(value) if not isinstance(value, str) else value) for value in sample)
    return f"values: {values}"


def body(decision: GateDecision) -> str:
    failed = decision.failed_critical + decision.failed_warning
    data_docs = next((r.data_docs for r in decision.results if r.data_docs), None)
    tables = "KPI tables" if decision.publication == "KPIs" else f"{decision.publication} tables"
    if decision.blocks_publication:
        readers = (
            "BI, Excel and the analytics keep reading the last good publication. The star schema itself was loaded."
            if decision.publication == "KPIs"
            else "their readers keep the last good publication."
        )
        verdict = f"<p><b>Publication is blocked.</b> The {tables} in <code>marts</code> are unchanged: {readers}</p>"
    else:
        verdict = f"<p>Only warnings failed: the {tables} were published. Look into them before they grow.</p>"
    rows = "".join(
        "<tr>"
        f"<td><b>{html.escape(r.name)}</b><br>{html.escape(r.description)}</td>"
        f"<td>{html.escape(r.severity)}</td><td>{html.escape(r.suite)}</td>"
        f"<td>{'' if r.unexpected_count is None else f'{r.unexpected_count:,}'}</td>"
        f"<td>{html.escape(r.error) if r.error else _sample_table(r.sample)}</td>"
        "</tr>"
        for r in failed
    )
    passed = sum(1 for r in decision.results if r.success)
    return f"""
<p>The data-quality gate of run <code>{html.escape(decision.run_id)}</code> found
{len(decision.failed_critical)} critical and {len(decision.failed_warning)} warning failure(s);
{passed} of {len(decision.results)} checks passed.</p>
{verdict}
<table border="1" cellpadding="4" style="border-collapse:collapse">
<tr><th>check</th><th>severity</th><th>suite</th><th>rows</th><th>sample (up to 5 rows)</th></tr>
{rows}
</table>
<p>Full results: the rows of <code>audit.quality_results</code> for this run id
{f"and the Data Docs at <code>{html.escape(data_docs)}</code>" if data_docs else ""}.</p>
<p>What to do: {html.escape(RUNBOOK)}. In short: find the rows above in the warehouse, fix the cause
(source data, a pipeline bug, or a threshold that no longer fits), then run the DAG again; the gate
re-checks everything changed since the last publication, and publishes once it passes.</p>
"""
