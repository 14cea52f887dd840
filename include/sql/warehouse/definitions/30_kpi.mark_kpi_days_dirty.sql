-- Days whose KPIs changed since they were last published: every change to a fact,
-- or to the region or category of a member facts point at, marks the days it
-- counts in (kpi.kpi_dirty_days). A day of -infinity means "all of them" (a truncate).
-- The triggers go with the function and are created again below.
drop function if exists kpi.mark_kpi_days_dirty() cascade;

create function kpi.mark_kpi_days_dirty() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'TRUNCATE' then
        insert into kpi.kpi_dirty_days (calendar_date) values ('-infinity');
        return null;
    end if;
    -- the rows as they are now (new_rows) and as they were (old_rows) both count
    if tg_table_name = 'fct_order_line' then
        if tg_op in ('INSERT', 'UPDATE') then
            insert into kpi.kpi_dirty_days (calendar_date)
            select distinct to_date(n.order_date_key::text, 'YYYYMMDD') from new_rows as n;
        end if;
        if tg_op in ('UPDATE', 'DELETE') then
            insert into kpi.kpi_dirty_days (calendar_date)
            select distinct to_date(o.order_date_key::text, 'YYYYMMDD') from old_rows as o;
        end if;
    elsif tg_table_name = 'fct_shipment' then
        -- its cost counts on the order's day, the delivery on the delivery day
        if tg_op in ('INSERT', 'UPDATE') then
            insert into kpi.kpi_dirty_days (calendar_date)
            select to_date(n.order_date_key::text, 'YYYYMMDD') from new_rows as n
            union
            select (n.delivered_at at time zone 'UTC')::date from new_rows as n where n.delivered_at is not null;
        end if;
        if tg_op in ('UPDATE', 'DELETE') then
            insert into kpi.kpi_dirty_days (calendar_date)
            select to_date(o.order_date_key::text, 'YYYYMMDD') from old_rows as o
            union
            select (o.delivered_at at time zone 'UTC')::date from old_rows as o where o.delivered_at is not null;
        end if;
    elsif tg_table_name = 'fct_return_line' then
        -- a return counts on the day its line was ordered
        if tg_op in ('INSERT', 'UPDATE') then
            insert into kpi.kpi_dirty_days (calendar_date)
            select distinct to_date(f.order_date_key::text, 'YYYYMMDD')
            from new_rows as n inner join dw.fct_order_line as f on n.order_item_id = f.order_item_id;
        end if;
        if tg_op in ('UPDATE', 'DELETE') then
            insert into kpi.kpi_dirty_days (calendar_date)
            select distinct to_date(f.order_date_key::text, 'YYYYMMDD')
            from old_rows as o inner join dw.fct_order_line as f on o.order_item_id = f.order_item_id;
        end if;
    elsif tg_table_name = 'fct_payment_attempt' then
        -- Attempts count on the day of the order's first attempt, and a new, moved or deleted
        -- attempt can move that day, earlier or later: mark each touched order's first day as
        -- it is now and as it was before the statement (the rows now, without the statement's
        -- new rows, with its old ones). Each event has only its own transition tables.
        if tg_op = 'INSERT' then
            insert into kpi.kpi_dirty_days (calendar_date)
            select (min(p.attempted_at) at time zone 'UTC')::date
            from dw.fct_payment_attempt as p
            where p.order_id in (select n.order_id from new_rows as n)
            group by p.order_id
            union
            select (min(p.attempted_at) at time zone 'UTC')::date
            from dw.fct_payment_attempt as p
            where
                p.order_id in (select n.order_id from new_rows as n)
                and p.payment_id not in (select n.payment_id from new_rows as n)
            group by p.order_id;
        elsif tg_op = 'UPDATE' then
            insert into kpi.kpi_dirty_days (calendar_date)
            select (min(p.attempted_at) at time zone 'UTC')::date
            from dw.fct_payment_attempt as p
            where p.order_id in (select n.order_id from new_rows as n union select o.order_id from old_rows as o)
            group by p.order_id
            union
            select (min(b.attempted_at) at time zone 'UTC')::date
            from (
                select p.order_id, p.attempted_at
                from dw.fct_payment_attempt as p
                where
                    p.order_id in (select n.order_id from new_rows as n union select o.order_id from old_rows as o)
                    and p.payment_id not in (select n.payment_id from new_rows as n)
                union all
                select o.order_id, o.attempted_at from old_rows as o
            ) as b
            group by b.order_id;
        else
            insert into kpi.kpi_dirty_days (calendar_date)
            select (min(p.attempted_at) at time zone 'UTC')::date
            from dw.fct_payment_attempt as p
            where p.order_id in (select o.order_id from old_rows as o)
            group by p.order_id
            union
            select (min(b.attempted_at) at time zone 'UTC')::date
            from (
                select p.order_id, p.attempted_at
                from dw.fct_payment_attempt as p
                where p.order_id in (select o.order_id from old_rows as o)
                union all
                select o.order_id, o.attempted_at from old_rows as o
            ) as b
            group by b.order_id;
        end if;
    elsif tg_table_name = 'dim_customer' then
        -- a member completed or corrected in place moves its facts to another region
        insert into kpi.kpi_dirty_days (calendar_date)
        select to_date(f.order_date_key::text, 'YYYYMMDD')
        from new_rows as n
        inner join old_rows as o on n.customer_key = o.customer_key
        inner join dw.fct_order_line as f on n.customer_key = f.customer_key
        where n.region is distinct from o.region
        union
        select (s.delivered_at at time zone 'UTC')::date
        from new_rows as n
        inner join old_rows as o on n.customer_key = o.customer_key
        inner join dw.fct_shipment as s on n.customer_key = s.customer_key
        where n.region is distinct from o.region and s.is_delivered
        union
        select (p.attempted_at at time zone 'UTC')::date
        from new_rows as n
        inner join old_rows as o on n.customer_key = o.customer_key
        inner join dw.fct_payment_attempt as p on n.customer_key = p.customer_key
        where n.region is distinct from o.region;
    elsif tg_table_name = 'dim_product' then
        insert into kpi.kpi_dirty_days (calendar_date)
        select distinct to_date(f.order_date_key::text, 'YYYYMMDD')
        from new_rows as n
        inner join old_rows as o on n.product_key = o.product_key
        inner join dw.fct_order_line as f on n.product_key = f.product_key
        where n.category is distinct from o.category;
    end if;
    return null;
end;
$$;

-- Transition tables allow one event per trigger, hence one trigger per event.
do $$
declare
    target text;
begin
    foreach target in array array['fct_order_line', 'fct_shipment', 'fct_return_line', 'fct_payment_attempt'] loop
        execute format('drop trigger if exists %I on dw.%I', target || '_insert_marks_kpi_days', target);
        execute format(
            'create trigger %I after insert on dw.%I referencing new table as new_rows '
            'for each statement execute function kpi.mark_kpi_days_dirty()',
            target || '_insert_marks_kpi_days', target
        );
        execute format('drop trigger if exists %I on dw.%I', target || '_delete_marks_kpi_days', target);
        execute format(
            'create trigger %I after delete on dw.%I referencing old table as old_rows '
            'for each statement execute function kpi.mark_kpi_days_dirty()',
            target || '_delete_marks_kpi_days', target
        );
        execute format('drop trigger if exists %I on dw.%I', target || '_truncate_marks_kpi_days', target);
        execute format(
            'create trigger %I after truncate on dw.%I for each statement execute function kpi.mark_kpi_days_dirty()',
            target || '_truncate_marks_kpi_days', target
        );
    end loop;
    foreach target in array array[
        'fct_order_line', 'fct_shipment', 'fct_return_line', 'fct_payment_attempt', 'dim_customer', 'dim_product'
    ] loop
        execute format('drop trigger if exists %I on dw.%I', target || '_update_marks_kpi_days', target);
        execute format(
            'create trigger %I after update on dw.%I referencing old table as old_rows new table as new_rows '
            'for each statement execute function kpi.mark_kpi_days_dirty()',
            target || '_update_marks_kpi_days', target
        );
    end loop;
end;
$$;

-- Days that the rules before these did not mark may be stale: recompute every day.
insert into kpi.kpi_dirty_days (calendar_date) values ('-infinity');
