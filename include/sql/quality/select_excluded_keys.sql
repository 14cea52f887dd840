-- Source rows the warehouse holds back on purpose, left out of both sides of the
-- reconciliation (each is in audit.rejected_rows with its reason): rows the contract refused
-- that never made it in, rows whose refused version is newer than the one the warehouse
-- keeps, and returns a fact build refused (no fact for the version the mirror holds).
-- Refusals from before the last full load concern rows of another load and do not count.
with loaded as (
    select coalesce(max(c.recorded_at), '-infinity') as since
    from audit.extraction_coverage as c
    where c.full_load
),

refused as (
    select distinct on (r.table_name, r.source_key)
        r.table_name,
        r.source_key::bigint as source_key,
        case
            when pg_input_is_valid(r.row_data ->> 'updated_at', 'timestamptz')
                then (r.row_data ->> 'updated_at')::timestamptz
        end as refused_version
    from audit.rejected_rows as r
    cross join loaded as l
    where
        r.table_name in ('customers', 'orders', 'order_items', 'returns')
        and r.source_key ~ '^[0-9]{1,18}$'
        and r.rejected_at >= l.since
    -- an unparseable version counts as the newest
    order by r.table_name asc, r.source_key asc, refused_version desc nulls first
)

select
    array(
        select x.source_key
        from refused as x
        left join mirror.order_items as m on x.source_key = m.order_item_id
        where
            x.table_name = 'order_items'
            and (m.order_item_id is null or x.refused_version is null or x.refused_version > m.updated_at)
    ) as order_item_ids,
    array(
        select x.source_key
        from refused as x
        left join mirror.orders as m on x.source_key = m.order_id
        where
            x.table_name = 'orders'
            and (m.order_id is null or x.refused_version is null or x.refused_version > m.updated_at)
    ) as order_ids,
    array(
        select x.source_key
        from refused as x
        left join mirror.returns as m on x.source_key = m.return_id
        where
            x.table_name = 'returns'
            and (
                m.return_id is null
                or x.refused_version is null
                or x.refused_version > m.updated_at
                or (
                    x.refused_version = m.updated_at
                    and not exists (
                        select from dw.fct_return_line as f
                        where f.return_id = x.source_key
                    )
                )
            )
    ) as return_ids,
    array(
        select x.source_key
        from refused as x
        left join mirror.customers as m on x.source_key = m.customer_id
        where
            x.table_name = 'customers'
            and (m.customer_id is null or x.refused_version is null or x.refused_version > m.updated_at)
    ) as customer_ids;
