-- The calendar covers every day a fact falls on. dw.dim_date starts as 2000 to 2040; facts
-- written on days outside it (a history from the 1990s) extend it, in the statement that
-- writes them, so no fact drops out of a join on the calendar. The contract keeps business
-- times within the shop's life (contracts.py, SHOP_LIFE), so the calendar stays small.
drop function if exists dw.extend_calendar() cascade;

create function dw.extend_calendar() returns trigger
language plpgsql
as $$
declare
    first_day date;
    last_day date;
begin
    if tg_table_name = 'fct_order_line' then
        select min(n.day), max(n.day) into first_day, last_day from (
            select to_date(r.order_date_key::text, 'YYYYMMDD') as day from new_rows as r
        ) as n;
    elsif tg_table_name = 'fct_payment_attempt' then
        select min(n.day), max(n.day) into first_day, last_day from (
            select to_date(r.attempt_date_key::text, 'YYYYMMDD') as day from new_rows as r
        ) as n;
    elsif tg_table_name = 'fct_shipment' then
        select min(n.day), max(n.day) into first_day, last_day from (
            select to_date(r.order_date_key::text, 'YYYYMMDD') as day from new_rows as r
            union all
            select to_date(r.delivered_date_key::text, 'YYYYMMDD') from new_rows as r
        ) as n;
    elsif tg_table_name = 'fct_return_line' then
        select min(n.day), max(n.day) into first_day, last_day from (
            select to_date(r.requested_date_key::text, 'YYYYMMDD') as day from new_rows as r
        ) as n;
    end if;
    perform dw.extend_calendar_between(first_day, last_day);
    return null;
end;
$$;

-- Transition tables allow one event per trigger, hence one trigger per event.
do $$
declare
    target text;
begin
    foreach target in array array['fct_order_line', 'fct_shipment', 'fct_return_line', 'fct_payment_attempt'] loop
        execute format(
            'create trigger %I after insert on dw.%I referencing new table as new_rows '
            'for each statement execute function dw.extend_calendar()',
            target || '_insert_extends_calendar', target
        );
        execute format(
            'create trigger %I after update on dw.%I referencing new table as new_rows '
            'for each statement execute function dw.extend_calendar()',
            target || '_update_extends_calendar', target
        );
    end loop;
end;
$$;
