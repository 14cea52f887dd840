"""Render the SQL written from templates (include/sql/templates/**/*.sql.j2).

The extraction and the merge of each source table are rendered from its contract
(contracts.py); every other template but the macro files (``_*.sql.j2``) renders
to the same path without ``.j2``. The rendered files are checked in, so the SQL the
pipeline runs can be read, linted and diffed as it is; a test checks they are current.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from globalcart.errors import GlobalCartError
from globalcart.settings import SQL_DIR
from globalcart.warehouse.contracts import (
    CONTRACTS,
    SHOP_LIFE,
    AboveZero,
    Between,
    InShopLife,
    NotBefore,
    NotBeforeOrder,
    NotNegative,
    OneOf,
    SourceTable,
    WithinLinePaid,
    WithinLineQuantity,
)

COMMAND = "globalcart render-sql"
TEMPLATES_DIR = "templates"
# Templates rendered once per contract, and the name each rendering gets.
PER_TABLE = {
    "extract/select_changed.sql.j2": "extract/select_changed_{table}.sql",
    "merge/merge_mirror.sql.j2": "merge/merge_mirror_{table}.sql",
    "extract/select_drifted.sql.j2": "extract/select_drifted_{table}.sql",
    "extract/select_drifted_keys.sql.j2": "extract/select_drifted_keys_{table}.sql",
    "reconcile/select_source_buckets.sql.j2": "reconcile/select_source_buckets_{table}.sql",
    "reconcile/select_mirror_buckets.sql.j2": "reconcile/select_mirror_buckets_{table}.sql",
    "reconcile/select_source_key_hashes.sql.j2": "reconcile/select_source_key_hashes_{table}.sql",
    "reconcile/select_mirror_key_hashes.sql.j2": "reconcile/select_mirror_key_hashes_{table}.sql",
}
# What Airflow would take for its own template syntax when it reads a step's SQL file.
JINJA_MARKERS = ("{{", "{%", "{#")


def rendered_sql(sql_dir: Path = SQL_DIR) -> dict[str, str]:
    """Every rendered file's text, by its path under include/sql."""
    env = _environment(sql_dir / TEMPLATES_DIR)
    files = {}
    for name in env.list_templates(extensions=["j2"]):
        if Path(name).name.startswith("_"):
            continue
        template = env.get_template(name)
        if name in PER_TABLE:
            for table in CONTRACTS:
                files[PER_TABLE[name].format(table=table.name)] = _header(name, table) + template.render(table=table)
        else:
            files[name.removesuffix(".j2")] = _header(name) + template.render()
    for path, text in files.items():
        if any(marker in text for marker in JINJA_MARKERS):
            raise GlobalCartError(f"{path} would hold Jinja syntax, which Airflow renders again when it runs the step")
    return files


def render_sql(sql_dir: Path = SQL_DIR) -> tuple[list[str], list[str]]:
    """Write every rendered file; returns all their paths and those whose text changed."""
    rendered, changed = [], []
    for name, text in rendered_sql(sql_dir).items():
        path = sql_dir / name
        rendered.append(name)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            changed.append(name)
    return rendered, changed


def _header(template: str, table: SourceTable | None = None) -> str:
    source = f"include/sql/{TEMPLATES_DIR}/{template}"
    if table is None:
        return f"-- Rendered by `{COMMAND}` from {source}.\n"
    return (
        f"-- Rendered by `{COMMAND}` from {source}\n"
        f"-- and the {table.name} contract in include/globalcart/warehouse/contracts.py.\n"
    )


def _environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["qualified"] = lambda names, alias: ", ".join(f"{alias}.{name}" for name in names)
    env.filters["sql_string"] = lambda text: "'" + text.replace("'", "''") + "'"
    env.tests.update(
        above_zero=lambda rule: isinstance(rule, AboveZero),
        not_negative=lambda rule: isinstance(rule, NotNegative),
        between=lambda rule: isinstance(rule, Between),
        one_of=lambda rule: isinstance(rule, OneOf),
        in_shop_life=lambda rule: isinstance(rule, InShopLife),
        not_before=lambda rule: isinstance(rule, NotBefore),
        not_before_order=lambda rule: isinstance(rule, NotBeforeOrder),
        within_line_paid=lambda rule: isinstance(rule, WithinLinePaid),
        within_line_quantity=lambda rule: isinstance(rule, WithinLineQuantity),
    )
    env.globals["unsupported"] = _unsupported
    env.globals["contracts"] = CONTRACTS
    env.globals["contract"] = {table.name: table for table in CONTRACTS}
    env.globals["shop_life"] = SHOP_LIFE
    return env


def _unsupported(rule: object) -> str:
    raise GlobalCartError(f"the merge template has no SQL for the rule {rule!r}")
