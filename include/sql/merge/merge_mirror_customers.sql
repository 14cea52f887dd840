-- Rendered by `globalcart render-sql` from include/sql/templates/merge/merge_mirror.sql.j2
-- and the customers contract in include/globalcart/warehouse/contracts.py.
-- Merge the extracted customers into the mirror, in one transaction:
-- rows that break the contract are kept in audit.rejected_rows with the reason; of the
-- rest, the newest version of each row wins (a stale or out-of-order row never
-- overwrites a newer one); the run log gets the counts; and the table's watermark advances
-- to what this batch actually loaded.
-- Builds wait for merges in flight: they take this lock exclusively.
select pg_advisory_xact_lock_shared(%(merge_build_lock)s);

-- A row the reconciliation found in the mirror but no longer in the source was deleted there:
-- it leaves the mirror (staging.repair_keys, filled by the extraction).
delete from mirror.customers as m
using staging.repair_keys as r
where
    r.table_name = 'customers'
    and not r.found_in_source
    and m.customer_id = r.source_key::bigint;

-- A first load or a full refresh (the target still empty) takes the bulk path: the same rules
-- and the same rows, with the target's secondary indexes built once after the insert and its
-- triggers' work done once for the whole table. `globalcart.bulk_load = off` (a database or
-- session setting) keeps such a load on the row-by-row path.
create temp table load_mode on commit drop as
select
    coalesce(current_setting('globalcart.bulk_load', true), '') <> 'off'
    and not exists (select from mirror.customers) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true)
from load_mode as m
where m.is_bulk;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('mirror.customers')
from load_mode as m
where m.is_bulk;

with checked as (
    select
        s.*,
        case
            when s.customer_id is null then 'missing customer_id'
            when s.email is null then 'missing email'
            when s.full_name is null then 'missing full_name'
            when s.region is null then 'missing region'
            when s.country_code is null then 'missing country_code'
            when s.segment is null then 'missing segment'
            when s.acquisition_channel is null then 'missing acquisition_channel'
            when s.status is null then 'missing status'
            when s.signed_up_at is null then 'missing signed_up_at'
            when s.created_at is null then 'missing created_at'
            when s.updated_at is null then 'missing updated_at'
            when not pg_input_is_valid(s.customer_id, 'bigint') then 'unparseable customer_id: ' || s.customer_id
            when
                not pg_input_is_valid(s.signed_up_at, 'timestamptz')
                then 'unparseable signed_up_at: ' || s.signed_up_at
            when not pg_input_is_valid(s.created_at, 'timestamptz') then 'unparseable created_at: ' || s.created_at
            when not pg_input_is_valid(s.updated_at, 'timestamptz') then 'unparseable updated_at: ' || s.updated_at
            when
                (s.signed_up_at::timestamptz at time zone 'UTC')::date not between '1970-01-01' and '2299-12-31'
                then 'signed_up_at is far outside the shop''s life (1970-01-01 to 2299-12-31)'
        end as reject_reason
    from staging.customers as s
),

rejected as (
    insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
    select
        %(run_id)s,
        'customers',
        coalesce(c.customer_id, 'null'),
        c.reject_reason,
        to_jsonb(c) - 'reject_reason'
    from checked as c
    where c.reject_reason is not null
    on conflict do nothing
    returning 1
),

latest as (
    select distinct on (c.customer_id)
        c.customer_id::bigint as customer_id,
        c.email,
        c.full_name,
        c.region,
        c.country_code,
        c.segment,
        c.acquisition_channel,
        c.status,
        c.signed_up_at::timestamptz as signed_up_at,
        c.created_at::timestamptz as created_at,
        c.updated_at::timestamptz as updated_at
    from checked as c
    where c.reject_reason is null
    order by c.customer_id, c.updated_at::timestamptz desc
),

merged as (
    insert into mirror.customers as m (
        customer_id,
        email,
        full_name,
        region,
        country_code,
        segment,
        acquisition_channel,
        status,
        signed_up_at,
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
    on conflict (customer_id) do update
        set
            email = excluded.email,
            full_name = excluded.full_name,
            region = excluded.region,
            country_code = excluded.country_code,
            segment = excluded.segment,
            acquisition_channel = excluded.acquisition_channel,
            status = excluded.status,
            signed_up_at = excluded.signed_up_at,
            created_at = excluded.created_at,
            updated_at = excluded.updated_at,
            loaded_run_id = excluded.loaded_run_id,
            merge_seq = excluded.merge_seq
        -- a re-extracted drifted row wins whatever its updated_at: the source's version is the truth
        where
        excluded.updated_at > m.updated_at
        or excluded.customer_id::text in (
            select r.source_key from staging.repair_keys as r
            where r.table_name = 'customers'
        )
    returning m.customer_id, m.updated_at, (m.xmax = 0) as is_insert
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
    'customers',
    counted.extracted_rows,
    counted.inserted_rows,
    counted.updated_rows,
    counted.ignored_stale_rows,
    counted.rejected_rows,
    batch.watermark_from,
    batch.watermark_to
from counted
left join staging.extract_batches as batch on batch.table_name = 'customers'
on conflict (run_id, table_name) do update
    set
        extracted_rows = excluded.extracted_rows,
        inserted_rows = audit.load_runs.inserted_rows + excluded.inserted_rows,
        updated_rows = audit.load_runs.updated_rows + excluded.updated_rows,
        ignored_stale_rows = excluded.ignored_stale_rows,
        rejected_rows = excluded.rejected_rows,
        loaded_at = now();

select dw.restore_after_bulk_load('mirror.customers')
from load_mode as m
where m.is_bulk;

insert into audit.watermarks (table_name, high_watermark, run_id)
select
    batch.table_name,
    batch.watermark_to,
    batch.run_id
from staging.extract_batches as batch
where batch.table_name = 'customers' and batch.watermark_to is not null
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
    and d.table_name = 'customers'
    and r.table_name = d.table_name
    and r.source_key = d.source_key;

-- After a large merge (the initial load, a full refresh) refresh the planner's statistics
-- now: the next incremental run's lookups depend on them, and autovacuum may not have run.
do $$
begin
    if (select count(*) from staging.customers) > 100000 then
        analyze mirror.customers;
    end if;
end
$$;
