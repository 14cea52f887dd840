-- Rendered by `globalcart render-sql` from include/sql/templates/merge/merge_mirror.sql.j2
-- and the payments contract in include/globalcart/warehouse/contracts.py.
-- Merge the extracted payments into the mirror, in one transaction:
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
    delete from mirror.payments as m
    using staging.repair_keys as r
    where
        r.table_name = 'payments'
        and not r.found_in_source
        and m.payment_id = r.source_key::bigint
    returning m.payment_id
),


deleted_fct_payment_attempt as (
    delete from dw.fct_payment_attempt as f
    using deleted as d
    where f.payment_id = d.payment_id
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
    and not exists (select from mirror.payments) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true)
from load_mode as m
where m.is_bulk;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('mirror.payments')
from load_mode as m
where m.is_bulk;

with checked as (
    select
        s.*,
        case
            when s.payment_id is null then 'missing payment_id'
            when s.order_id is null then 'missing order_id'
            when s.attempt_number is null then 'missing attempt_number'
            when s.payment_method is null then 'missing payment_method'
            when s.provider is null then 'missing provider'
            when s.status is null then 'missing status'
            when s.amount is null then 'missing amount'
            when s.attempted_at is null then 'missing attempted_at'
            when s.created_at is null then 'missing created_at'
            when s.updated_at is null then 'missing updated_at'
            when not pg_input_is_valid(s.payment_id, 'bigint') then 'unparseable payment_id: ' || s.payment_id
            when not pg_input_is_valid(s.order_id, 'bigint') then 'unparseable order_id: ' || s.order_id
            when
                not pg_input_is_valid(s.attempt_number, 'integer')
                then 'unparseable attempt_number: ' || s.attempt_number
            when not pg_input_is_valid(s.amount, 'numeric') then 'unparseable amount: ' || s.amount
            when
                not pg_input_is_valid(s.attempted_at, 'timestamptz')
                then 'unparseable attempted_at: ' || s.attempted_at
            when not pg_input_is_valid(s.created_at, 'timestamptz') then 'unparseable created_at: ' || s.created_at
            when not pg_input_is_valid(s.updated_at, 'timestamptz') then 'unparseable updated_at: ' || s.updated_at
            when s.amount::numeric in ('NaN', 'Infinity', '-Infinity') then 'amount is not a finite number'
            when s.amount::numeric < 0 then 'amount must not be negative'
            when s.status not in ('authorized', 'captured', 'declined', 'refunded') then 'unknown payment status'
            when
                (s.attempted_at::timestamptz at time zone 'UTC')::date not between '1970-01-01' and '2299-12-31'
                then 'attempted_at is far outside the shop''s life (1970-01-01 to 2299-12-31)'
        end as reject_reason
    from staging.payments as s
),

rejected as (
    insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
    select
        %(run_id)s,
        'payments',
        coalesce(c.payment_id, 'null'),
        c.reject_reason,
        to_jsonb(c) - 'reject_reason'
    from checked as c
    where c.reject_reason is not null
    on conflict do nothing
    returning 1
),

latest as (
    select distinct on (c.payment_id)
        c.payment_id::bigint as payment_id,
        c.order_id::bigint as order_id,
        c.attempt_number::integer as attempt_number,
        c.payment_method,
        c.provider,
        c.status,
        c.amount::numeric as amount,
        c.decline_reason,
        c.attempted_at::timestamptz as attempted_at,
        c.created_at::timestamptz as created_at,
        c.updated_at::timestamptz as updated_at
    from checked as c
    where c.reject_reason is null
    order by c.payment_id, c.updated_at::timestamptz desc
),

merged as (
    insert into mirror.payments as m (
        payment_id,
        order_id,
        attempt_number,
        payment_method,
        provider,
        status,
        amount,
        decline_reason,
        attempted_at,
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
    on conflict (payment_id) do update
        set
            order_id = excluded.order_id,
            attempt_number = excluded.attempt_number,
            payment_method = excluded.payment_method,
            provider = excluded.provider,
            status = excluded.status,
            amount = excluded.amount,
            decline_reason = excluded.decline_reason,
            attempted_at = excluded.attempted_at,
            created_at = excluded.created_at,
            updated_at = excluded.updated_at,
            loaded_run_id = excluded.loaded_run_id,
            merge_seq = excluded.merge_seq
        -- a re-extracted drifted row wins whatever its updated_at: the source's version is the truth
        where
        excluded.updated_at > m.updated_at
        or excluded.payment_id::text in (
            select r.source_key from staging.repair_keys as r
            where r.table_name = 'payments'
        )
    returning m.payment_id, m.status, m.updated_at, (m.xmax = 0) as is_insert
),

transitions as (
    insert into audit.status_transitions (
        table_name, entity_id, from_status, to_status, source_updated_at, run_id
    )
    select
        'payments',
        mg.payment_id,
        p.status,
        mg.status,
        mg.updated_at,
        %(run_id)s
    from merged as mg
    -- Sub-statements of one WITH share a snapshot: this still reads the row as it was before the merge.
    left join mirror.payments as p on mg.payment_id = p.payment_id
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
    'payments',
    counted.extracted_rows,
    counted.inserted_rows,
    counted.updated_rows,
    counted.ignored_stale_rows,
    counted.rejected_rows,
    batch.watermark_from,
    batch.watermark_to
from counted
left join staging.extract_batches as batch on batch.table_name = 'payments'
on conflict (run_id, table_name) do update
    set
        extracted_rows = excluded.extracted_rows,
        inserted_rows = audit.load_runs.inserted_rows + excluded.inserted_rows,
        updated_rows = audit.load_runs.updated_rows + excluded.updated_rows,
        ignored_stale_rows = excluded.ignored_stale_rows,
        rejected_rows = excluded.rejected_rows,
        loaded_at = now();

select dw.restore_after_bulk_load('mirror.payments')
from load_mode as m
where m.is_bulk;

insert into audit.watermarks (table_name, high_watermark, run_id)
select
    batch.table_name,
    batch.watermark_to,
    batch.run_id
from staging.extract_batches as batch
where batch.table_name = 'payments' and batch.watermark_to is not null
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
    and d.table_name = 'payments'
    and r.table_name = d.table_name
    and r.source_key = d.source_key;

-- After a large merge (the initial load, a full refresh) refresh the planner's statistics
-- now: the next incremental run's lookups depend on them, and autovacuum may not have run.
do $$
begin
    if (select count(*) from staging.payments) > 100000 then
        analyze mirror.payments;
    end if;
end
$$;
