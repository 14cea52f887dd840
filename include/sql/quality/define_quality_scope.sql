-- What the gate checks in this run: the facts whose source rows changed since
-- the extraction of the first run after the last publication began (all of
-- them before the first publication), so a fault that blocked a run is checked
-- again until it is fixed; and the closed days from the day before that up to
-- the day before the source cutoff, which the reconciliation compares with the
-- source.
insert into audit.quality_scope (
    is_current, run_id, checked_from, reconciled_from, reconciled_through, source_cutoff, defined_at
)
with last_publication as (
    select max(p.decided_at) as published_at
    from audit.publications as p
    where p.outcome = 'published' and p.publication = 'kpis'
),

run_window as (
    select
        case
            when
                (select lp.published_at from last_publication as lp) is null
                or count(*) = 0
                or bool_or(l.watermark_from is null)
                then '-infinity'::timestamptz
            else min(l.watermark_from)
        end as checked_from
    from audit.load_runs as l
    where
        (l.run_id = %(run_id)s or l.loaded_at > (select lp.published_at from last_publication as lp))
        -- the tables facts are made of (a carrier or promotion rarely changes, so its watermark is old)
        and l.table_name in ('orders', 'order_items', 'payments', 'shipments', 'returns')
),

cutoff as (
    -- every source order line created before this is in the warehouse
    select coalesce(max(w.high_watermark), now()) as source_cutoff
    from audit.watermarks as w
    where w.table_name = 'order_items'
),

bounds as (
    select
        r.checked_from,
        c.source_cutoff,
        (c.source_cutoff at time zone 'UTC')::date - 1 as reconciled_through,
        greatest(
            (r.checked_from at time zone 'UTC')::date - 1,
            (select to_date(min(f.order_date_key)::text, 'YYYYMMDD') from dw.fct_order_line as f)
        ) as reconciled_from
    from run_window as r
    cross join cutoff as c
)

select
    true,
    %(run_id)s,
    b.checked_from,
    -- nothing loaded yet: an empty range
    coalesce(b.reconciled_from, b.reconciled_through + 1),
    b.reconciled_through,
    b.source_cutoff,
    now()
from bounds as b
on conflict (is_current) do update
    set
        run_id = excluded.run_id,
        checked_from = excluded.checked_from,
        reconciled_from = excluded.reconciled_from,
        reconciled_through = excluded.reconciled_through,
        source_cutoff = excluded.source_cutoff,
        defined_at = excluded.defined_at
returning
    run_id,
    (checked_from at time zone 'UTC')::text as checked_from,
    reconciled_from,
    reconciled_through,
    source_cutoff;
