-- Rendered by `globalcart render-sql` from include/sql/templates/merge/merge_mirror.sql.j2
-- and the order_items contract in include/globalcart/warehouse/contracts.py.
-- Merge the extracted order items into the mirror, in one transaction:
-- rows that break the contract are kept in audit.rejected_rows with the reason; of the
-- rest, the newest version of each row wins (a stale or out-of-order row never
-- overwrites a newer one); the run log gets the counts; and the table's watermark advances
-- to what this batch actually loaded.
-- Builds wait for merges in flight: they take this lock exclusively.
select pg_advisory_xact_lock_shared(%(merge_build_lock)s);

-- A row the reconciliation found in the mirror but no longer in the source was deleted there:
-- it leaves the mirror and the facts (staging.repair_keys, filled by the extraction).
with deleted as (
    delete from mirror.order_items as m
    using staging.repair_keys as r
    where
        r.table_name = 'order_items'
        and not r.found_in_source
        and m.order_item_id = r.source_key::bigint
    returning m.order_item_id
),


deleted_fct_order_line as (
    delete from dw.fct_order_line as f
    using deleted as d
    where f.order_item_id = d.order_item_id
    returning 1
),


deleted_fct_return_line as (
    delete from dw.fct_return_line as f
    using deleted as d
    where f.order_item_id = d.order_item_id
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
    and not exists (select from mirror.order_items) as is_bulk;

-- Whole tables are read, sorted and indexed: memory for the sorts, the hashes and the index builds.
select
    set_config('work_mem', '256MB', true),
    set_config('maintenance_work_mem', '512MB', true)
from load_mode as m
where m.is_bulk;

-- The bulk path writes the whole table in the next statement: its indexes and triggers wait.
select dw.set_aside_for_bulk_load('mirror.order_items')
from load_mode as m
where m.is_bulk;

with checked as (
    select
        s.*,
        case
            when s.order_item_id is null then 'missing order_item_id'
            when s.order_id is null then 'missing order_id'
            when s.line_number is null then 'missing line_number'
            when s.product_id is null then 'missing product_id'
            when s.quantity is null then 'missing quantity'
            when s.unit_price is null then 'missing unit_price'
            when s.discount_amount is null then 'missing discount_amount'
            when s.created_at is null then 'missing created_at'
            when s.updated_at is null then 'missing updated_at'
            when not pg_input_is_valid(s.order_item_id, 'bigint') then 'unparseable order_item_id: ' || s.order_item_id
            when not pg_input_is_valid(s.order_id, 'bigint') then 'unparseable order_id: ' || s.order_id
            when not pg_input_is_valid(s.line_number, 'integer') then 'unparseable line_number: ' || s.line_number
            when not pg_input_is_valid(s.product_id, 'bigint') then 'unparseable product_id: ' || s.product_id
            when not pg_input_is_valid(s.quantity, 'integer') then 'unparseable quantity: ' || s.quantity
            when not pg_input_is_valid(s.unit_price, 'numeric') then 'unparseable unit_price: ' || s.unit_price
            when
                not pg_input_is_valid(s.discount_amount, 'numeric')
                then 'unparseable discount_amount: ' || s.discount_amount
            when not pg_input_is_valid(s.created_at, 'timestamptz') then 'unparseable created_at: ' || s.created_at
            when not pg_input_is_valid(s.updated_at, 'timestamptz') then 'unparseable updated_at: ' || s.updated_at
            when s.unit_price::numeric in ('NaN', 'Infinity', '-Infinity') then 'unit_price is not a finite number'
            when
                s.discount_amount::numeric in ('NaN', 'Infinity', '-Infinity')
                then 'discount_amount is not a finite number'
            when s.quantity::integer <= 0 then 'quantity must be above zero'
            when s.unit_price::numeric < 0 then 'unit_price must not be negative'
            when s.discount_amount::numeric < 0 then 'discount_amount must not be negative'
        end as reject_reason
    from staging.order_items as s
),

rejected as (
    insert into audit.rejected_rows (run_id, table_name, source_key, reason, row_data)
    select
        %(run_id)s,
        'order_items',
        coalesce(c.order_item_id, 'null'),
        c.reject_reason,
        to_jsonb(c) - 'reject_reason'
    from checked as c
    where c.reject_reason is not null
    on conflict do nothing
    returning 1
),

latest as (
    select distinct on (c.order_item_id)
        c.order_item_id::bigint as order_item_id,
        c.order_id::bigint as order_id,
        c.line_number::integer as line_number,
        c.product_id::bigint as product_id,
        c.quantity::integer as quantity,
        c.unit_price::numeric as unit_price,
        c.discount_amount::numeric as discount_amount,
        c.created_at::timestamptz as created_at,
        c.updated_at::timestamptz as updated_at
    from checked as c
    where c.reject_reason is null
    order by c.order_item_id, c.updated_at::timestamptz desc
),

merged as (
    insert into mirror.order_items as m (
        order_item_id,
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
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
    on conflict (order_item_id) do update
        set
            order_id = excluded.order_id,
            line_number = excluded.line_number,
            product_id = excluded.product_id,
            quantity = excluded.quantity,
            unit_price = excluded.unit_price,
            discount_amount = excluded.discount_amount,
            created_at = excluded.created_at,
            updated_at = excluded.updated_at,
            loaded_run_id = excluded.loaded_run_id,
            merge_seq = excluded.merge_seq
        -- a re-extracted drifted row wins whatever its updated_at: the source's version is the truth
        where
        excluded.updated_at > m.updated_at
        or excluded.order_item_id::text in (
            select r.source_key from staging.repair_keys as r
            where r.table_name = 'order_items'
        )
    returning m.order_item_id, m.updated_at, (m.xmax = 0) as is_insert
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
    'order_items',
    counted.extracted_rows,
    counted.inserted_rows,
    counted.updated_rows,
    counted.ignored_stale_rows,
    counted.rejected_rows,
    batch.watermark_from,
    batch.watermark_to
from counted
left join staging.extract_batches as batch on batch.table_name = 'order_items'
on conflict (run_id, table_name) do update
    set
        extracted_rows = excluded.extracted_rows,
        inserted_rows = audit.load_runs.inserted_rows + excluded.inserted_rows,
        updated_rows = audit.load_runs.updated_rows + excluded.updated_rows,
        ignored_stale_rows = excluded.ignored_stale_rows,
        rejected_rows = excluded.rejected_rows,
        loaded_at = now();

select dw.restore_after_bulk_load('mirror.order_items')
from load_mode as m
where m.is_bulk;

insert into audit.watermarks (table_name, high_watermark, run_id)
select
    batch.table_name,
    batch.watermark_to,
    batch.run_id
from staging.extract_batches as batch
where batch.table_name = 'order_items' and batch.watermark_to is not null
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
    and d.table_name = 'order_items'
    and r.table_name = d.table_name
    and r.source_key = d.source_key;

-- After a large merge (the initial load, a full refresh) refresh the planner's statistics
-- now: the next incremental run's lookups depend on them, and autovacuum may not have run.
do $$
begin
    if (select count(*) from staging.order_items) > 100000 then
        analyze mirror.order_items;
    end if;
end
$$;
