-- Rendered by `globalcart render-sql` from include/sql/templates/merge/merge_mirror.sql.j2
-- and the returns contract in include/globalcart/warehouse/contracts.py.
-- Merge the extracted returns into the mirror, in one transaction:
-- rows that break the contract are kept in audit.rejected_rows with the reason; of the
-- rest, the newest version of each row wins (a stale or out-of-order row never
-- overwrites a newer one); the run log gets the counts; status changes are
-- recorded in audit.status_transitions; and the table's watermark advances
-- to what this batch actually loaded.
-- Builds wait for merges in flight: they take this lock exclusively.
select pg_advisory_xact_lock_shared(%(merge_build_lock)s);

-- A row the reconciliation found in the mirror but no longer in the source was deleted there:
-- it leaves the mirror and the facts (staging.repair_keys, filled by the extraction).
with deleted as (
    delete from mirror.returns as m
    using staging.repair_keys as r
    where
        r.table_name = 'returns'
        and not r.found_in_source
        and m.return_id = r.source_key::bigint
    returning m.return_id
),


deleted_fct_return_line as (
    delete from dw.fct_return_line as f
    using deleted as d
    where f.return_id = d.return_id
    returning 1
)

select count(*) as deleted_rows
from deleted;

-- A first load or a full refresh (the target still empty) takes the bulk path: the same rules
-- and the same rows, with the target's secondary indexes built once after the insert and its
-- triggers' work done once for the whole table. `globalcart.bulk_load = off` (a database or
-- session setting) keeps such a load on the row-by-row path.
create temp table load_mode on commit drop as
select
    coalesce(current_setting('globalcart.bulk_load', true), '') <> 'off'
    and not exists (select from mirror.returns) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true)
from load_mode as m
where m.is_bulk;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('mirror.returns')
from load_mode as m
where m.is_bulk;

with checked as (
    select
        s.*,
        case
            when s.return_id is null then 'missing return_id'
            when s.order_item_id is null then 'missing order_item_id'
            when s.quantity is null then 'missing quantity'
            when s.refund_amount is null then 'missing refund_amount'
            when s.reason is null then 'missing reason'
            when s.status is null then 'missing status'
            when s.requested_at is null then 'missing requested_at'
            when s.created_at is null then 'missing created_at'
            when s.updated_at is null then 'missing updated_at'
            when not pg_input_is_valid(s.return_id, 'bigint') then 'unparseable return_id: ' || s.return_id
            when not pg_input_is_valid(s.order_item_id, 'bigint') then 'unparseable order_item_id: ' || s.order_item_id
            when not pg_input_is_valid(s.quantity, 'integer') then 'unparseable quantity: ' || s.quantity
            when not pg_input_is_valid(s.refund_amount, 'numeric') then 'unparseable refund_amount: ' || s.refund_amount
            when
                not pg_input_is_valid(s.requested_at, 'timestamptz')
                then 'unparseable requested_at: ' || s.requested_at
            when not pg_input_is_valid(s.received_at, 'timestamptz') then 'unparseable received_at: ' || s.received_at
            when not pg_input_is_valid(s.refunded_at, 'timestamptz') then 'unparseable refunded_at: ' || s.refunded_at
            when not pg_input_is_valid(s.created_at, 'timestamptz') then 'unparseable created_at: ' || s.created_at
            when not pg_input_is_valid(s.updated_at, 'timestamptz') then 'unparseable updated_at: ' || s.updated_at
            when
                s.refund_amount::numeric in ('NaN', 'Infinity', '-Infinity')
                then 'refund_amount is not a finite number'
            when s.quantity::integer <= 0 then 'quantity must be above zero'
            when s.refund_amount::numeric < 0 then 'refund_amount must not be negative'
            when
                (s.requested_at::timestamptz at time zone 'UTC')::date not between '1970-01-01' and '2299-12-31'
                then 'requested_at is far outside the shop''s life (1970-01-01 to 2299-12-31)'
            when
                (s.received_at::timestamptz at time zone 'UTC')::date not between '1970-01-01' and '2299-12-31'
                then 'received_at is far outside the shop''s life (1970-01-01 to 2299-12-31)'
            when
                (s.refunded_at::timestamptz at time zone 'UTC')::date not between '1970-01-01' and '2299-12-31'
                then 'refunded_at is far outside the shop''s life (1970-01-01 to 2299-12-31)'
            when s.received_at::timestamptz < s.requested_at::timestamptz then 'received_at is before requested_at'
            when s.refunded_at::timestamptz < s.requested_at::timestamptz then 'refunded_at is before requested_at'
        end as reject_reason
    from staging.returns as s
),

rejected as (
    insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
    select
        %(run_id)s,
        'returns',
        coalesce(c.return_id, 'null'),
        c.reject_reason,
        to_jsonb(c) - 'reject_reason'
    from checked as c
    where c.reject_reason is not null
    on conflict do nothing
    returning 1
),

latest as (
    select distinct on (c.return_id)
        c.return_id::bigint as return_id,
        c.order_item_id::bigint as order_item_id,
        c.quantity::integer as quantity,
        c.refund_amount::numeric as refund_amount,
        c.reason,
        c.status,
        c.requested_at::timestamptz as requested_at,
        c.received_at::timestamptz as received_at,
        c.refunded_at::timestamptz as refunded_at,
        c.created_at::timestamptz as created_at,
        c.updated_at::timestamptz as updated_at
    from checked as c
    where c.reject_reason is null
    order by c.return_id, c.updated_at::timestamptz desc
),

merged as (
    insert into mirror.returns as m (
        return_id,
        order_item_id,
        quantity,
        refund_amount,
        reason,
        status,
        requested_at,
        received_at,
        refunded_at,
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
    on conflict (return_id) do update
        set
            order_item_id = excluded.order_item_id,
            quantity = excluded.quantity,
            refund_amount = excluded.refund_amount,
            reason = excluded.reason,
            status = excluded.status,
            requested_at = excluded.requested_at,
            received_at = excluded.received_at,
            refunded_at = excluded.refunded_at,
            created_at = excluded.created_at,
            updated_at = excluded.updated_at,
            loaded_run_id = excluded.loaded_run_id,
            merge_seq = excluded.merge_seq
        -- a re-extracted drifted row wins whatever its updated_at: the source's version is the truth
        where
        excluded.updated_at > m.updated_at
        or excluded.return_id::text in (
            select r.source_key from staging.repair_keys as r
            where r.table_name = 'returns'
        )
    returning m.return_id, m.status, m.updated_at, (m.xmax = 0) as is_insert
),

transitions as (
    insert into audit.status_transitions (
        table_name, entity_id, from_status, to_status, source_updated_at, run_id
    )
    select
        'returns',
        mg.return_id,
        p.status,
        mg.status,
        mg.updated_at,
        %(run_id)s
    from merged as mg
    -- Sub-statements of one WITH share a snapshot: this still reads the row as it was before the merge.
    left join mirror.returns as p on mg.return_id = p.return_id
    where p.status is distinct from mg.status
    returning 1
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
        (select count(*) from rejected) as newly_rejected_rows,
        (select count(*) from transitions) as transition_count
)

insert into audit.load_runs (
    run_id, table_name, extracted_rows, inserted_rows, updated_rows, ignored_stale_rows, rejected_rows,
    watermark_from, watermark_to
)
select
    %(run_id)s,
    'returns',
    counted.extracted_rows,
    counted.inserted_rows,
    counted.updated_rows,
    counted.ignored_stale_rows,
    counted.rejected_rows,
    batch.watermark_from,
    batch.watermark_to
from counted
left join staging.extract_batches as batch on batch.table_name = 'returns'
on conflict (run_id, table_name) do update
    set
        extracted_rows = excluded.extracted_rows,
        inserted_rows = audit.load_runs.inserted_rows + excluded.inserted_rows,
        updated_rows = audit.load_runs.updated_rows + excluded.updated_rows,
        ignored_stale_rows = excluded.ignored_stale_rows,
        rejected_rows = excluded.rejected_rows,
        loaded_at = now();

select dw.restore_after_bulk_load('mirror.returns')
from load_mode as m
where m.is_bulk;

insert into audit.watermarks (table_name, high_watermark, run_id)
select
    batch.table_name,
    batch.watermark_to,
    batch.run_id
from staging.extract_batches as batch
where batch.table_name = 'returns' and batch.watermark_to is not null
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
    and d.table_name = 'returns'
    and r.table_name = d.table_name
    and r.source_key = d.source_key;

-- After a large merge (the initial load, a full refresh) refresh the planner's statistics
-- now: the next incremental run's lookups depend on them, and autovacuum may not have run.
do $$
begin
    if (select count(*) from staging.returns) > 100000 then
        analyze mirror.returns;
    end if;
end
$$;
