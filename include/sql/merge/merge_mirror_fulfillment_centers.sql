-- Rendered by `globalcart render-sql` from include/sql/templates/merge/merge_mirror.sql.j2
-- and the fulfillment_centers contract in include/globalcart/warehouse/contracts.py.
-- Merge the extracted fulfillment centers into the mirror, in one transaction:
-- rows that break the contract are kept in audit.rejected_rows with the reason; of the
-- rest, the newest version of each row wins (a stale or out-of-order row never
-- overwrites a newer one); the run log gets the counts; and the table's watermark advances
-- to what this batch actually loaded.
-- Builds wait for merges in flight: they take this lock exclusively.
select pg_advisory_xact_lock_shared(%(merge_build_lock)s);

-- A row the reconciliation found in the mirror but no longer in the source was deleted there:
-- it leaves the mirror (staging.repair_keys, filled by the extraction).
delete from mirror.fulfillment_centers as m
using staging.repair_keys as r
where
    r.table_name = 'fulfillment_centers'
    and not r.found_in_source
    and r.source_key = m.fulfillment_center_code::text;

-- A first load or a full refresh (the target still empty) takes the bulk path: the same rules
-- and the same rows, with the target's secondary indexes built once after the insert and its
-- triggers' work done once for the whole table. `globalcart.bulk_load = off` (a database or
-- session setting) keeps such a load on the row-by-row path.
create temp table load_mode on commit drop as
select
    coalesce(current_setting('globalcart.bulk_load', true), '') <> 'off'
    and not exists (select from mirror.fulfillment_centers) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true)
from load_mode as m
where m.is_bulk;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('mirror.fulfillment_centers')
from load_mode as m
where m.is_bulk;

with checked as (
    select
        s.*,
        case
            when s.fulfillment_center_code is null then 'missing fulfillment_center_code'
            when s.city is null then 'missing city'
            when s.region is null then 'missing region'
            when s.created_at is null then 'missing created_at'
            when s.updated_at is null then 'missing updated_at'
            when not pg_input_is_valid(s.created_at, 'timestamptz') then 'unparseable created_at: ' || s.created_at
            when not pg_input_is_valid(s.updated_at, 'timestamptz') then 'unparseable updated_at: ' || s.updated_at
        end as reject_reason
    from staging.fulfillment_centers as s
),

rejected as (
    insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
    select
        %(run_id)s,
        'fulfillment_centers',
        coalesce(c.fulfillment_center_code, 'null'),
        c.reject_reason,
        to_jsonb(c) - 'reject_reason'
    from checked as c
    where c.reject_reason is not null
    on conflict do nothing
    returning 1
),

latest as (
    select distinct on (c.fulfillment_center_code)
        c.fulfillment_center_code,
        c.city,
        c.region,
        c.created_at::timestamptz as created_at,
        c.updated_at::timestamptz as updated_at
    from checked as c
    where c.reject_reason is null
    order by c.fulfillment_center_code, c.updated_at::timestamptz desc
),

merged as (
    insert into mirror.fulfillment_centers as m (
        fulfillment_center_code,
        city,
        region,
        created_at,
        updated_at,
        loaded_run_id,
        merge_seq
    )
    select
        l.*,
        %(run_id)s,
        this_merge.merge_seq
    from latest as l
    cross join (select nextval('mirror.merge_seq') as merge_seq) as this_merge
    on conflict (fulfillment_center_code) do update
        set
            city = excluded.city,
            region = excluded.region,
            created_at = excluded.created_at,
            updated_at = excluded.updated_at,
            loaded_run_id = excluded.loaded_run_id,
            merge_seq = excluded.merge_seq
        -- a re-extracted drifted row wins whatever its updated_at: the source's version is the truth
        where
        excluded.updated_at > m.updated_at
        or excluded.fulfillment_center_code::text in (
            select r.source_key from staging.repair_keys as r
            where r.table_name = 'fulfillment_centers'
        )
    returning m.fulfillment_center_code, m.updated_at, (m.xmax = 0) as is_insert
),

counted as (
    select
        (select count(*) from checked) as extracted_rows,
        (
            select count(*) from merged
            where is_insert
        ) as inserted_rows,
        (
            select count(*) from merged
            where not is_insert
        ) as updated_rows,
        (
            select count(*) from checked
            where reject_reason is null
        )
        - (select count(*) from merged) as ignored_stale_rows,
        (
            select count(*) from checked
            where reject_reason is not null
        ) as rejected_rows,
        (select count(*) from rejected) as newly_rejected_rows
)

insert into audit.load_runs (
    run_id, table_name, extracted_rows, inserted_rows, updated_rows, ignored_stale_rows, rejected_rows,
    watermark_from, watermark_to
)
select
    %(run_id)s,
    'fulfillment_centers',
    counted.extracted_rows,
    counted.inserted_rows,
    counted.updated_rows,
    counted.ignored_stale_rows,
    counted.rejected_rows,
    batch.watermark_from,
    batch.watermark_to
from counted
left join staging.extract_batches as batch on batch.table_name = 'fulfillment_centers'
on conflict (run_id, table_name) do update
    set
        extracted_rows = excluded.extracted_rows,
        inserted_rows = audit.load_runs.inserted_rows + excluded.inserted_rows,
        updated_rows = audit.load_runs.updated_rows + excluded.updated_rows,
        ignored_stale_rows = excluded.ignored_stale_rows,
        rejected_rows = excluded.rejected_rows,
        loaded_at = now();

select dw.restore_after_bulk_load('mirror.fulfillment_centers')
from load_mode as m
where m.is_bulk;

insert into audit.watermarks (table_name, high_watermark, run_id)
select
    batch.table_name,
    batch.watermark_to,
    batch.run_id
from staging.extract_batches as batch
where batch.table_name = 'fulfillment_centers' and batch.watermark_to is not null
on conflict (table_name) do update
    set
        high_watermark = greatest(audit.watermarks.high_watermark, excluded.high_watermark),
        run_id = excluded.run_id,
        advanced_at = now();

-- The drifted keys this run re-extracted are healed.
update audit.mirror_drift as d
set
    healed_at = now(),
    healed_run_id = %(run_id)s
from staging.repair_keys as r
where
    d.healed_at is null
    and d.table_name = 'fulfillment_centers'
    and r.table_name = d.table_name
    and r.source_key = d.source_key;

-- After a large merge (the initial load, a full refresh) refresh the planner's statistics
-- now: the next incremental run's lookups depend on them, and autovacuum may not have run.
do $$
begin
    if (select count(*) from staging.fulfillment_centers) > 100000 then
        analyze mirror.fulfillment_centers;
    end if;
end
$$;
