-- Every statement that writes order lines or return lines notes the orders it
-- touched in analytics.changed_orders, so the next analytics run refreshes only
-- their state. Nothing is noted until an analytics run has registered the state
-- in analytics.state_builds (it does so in a transaction of its own, committed
-- before the snapshot it builds the state from), nor after a truncate, which
-- drops the registration: the next run builds the state whole.
drop function if exists analytics.note_changed_orders() cascade;

create function analytics.note_changed_orders() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'TRUNCATE' then
        delete from analytics.state_builds where state = 'order_state';
        delete from analytics.changed_orders;
        return null;
    end if;
    if not exists (select from analytics.state_builds where state = 'order_state') then
        return null;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into analytics.changed_orders (order_id) select distinct n.order_id from new_rows as n;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into analytics.changed_orders (order_id) select distinct o.order_id from old_rows as o;
    end if;
    return null;
end;
$$;

-- Transition tables allow one event per trigger, hence one trigger per event.
do $$
declare
    target text;
begin
    foreach target in array array['fct_order_line', 'fct_return_line'] loop
        execute format(
            'create trigger %I after insert on dw.%I referencing new table as new_rows '
            'for each statement execute function analytics.note_changed_orders()',
            target || '_insert_notes_changed_orders', target
        );
        execute format(
            'create trigger %I after update on dw.%I referencing old table as old_rows new table as new_rows '
            'for each statement execute function analytics.note_changed_orders()',
            target || '_update_notes_changed_orders', target
        );
        execute format(
            'create trigger %I after delete on dw.%I referencing old table as old_rows '
            'for each statement execute function analytics.note_changed_orders()',
            target || '_delete_notes_changed_orders', target
        );
        execute format(
            'create trigger %I after truncate on dw.%I '
            'for each statement execute function analytics.note_changed_orders()',
            target || '_truncate_notes_changed_orders', target
        );
    end loop;
end;
$$;
