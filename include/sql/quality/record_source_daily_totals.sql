insert into audit.source_daily_totals (run_id, order_date, order_lines, gross_amount, discount_amount)
values (%(run_id)s, %(order_date)s, %(order_lines)s, %(gross_amount)s, %(discount_amount)s)
on conflict (run_id, order_date) do update
    set
        order_lines = excluded.order_lines,
        gross_amount = excluded.gross_amount,
        discount_amount = excluded.discount_amount;
