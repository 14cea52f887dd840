insert into audit.source_daily_totals (
    run_id, order_date, region, order_lines, cancelled_lines, gross_amount, discount_amount, kept_gross_amount,
    kept_discount_amount, refund_amount
)
values (
    %(run_id)s, %(order_date)s, %(region)s, %(order_lines)s, %(cancelled_lines)s, %(gross_amount)s,
    %(discount_amount)s, %(kept_gross_amount)s, %(kept_discount_amount)s, %(refund_amount)s
)
on conflict (run_id, order_date, region) do update
    set
        order_lines = excluded.order_lines,
        cancelled_lines = excluded.cancelled_lines,
        gross_amount = excluded.gross_amount,
        discount_amount = excluded.discount_amount,
        kept_gross_amount = excluded.kept_gross_amount,
        kept_discount_amount = excluded.kept_discount_amount,
        refund_amount = excluded.refund_amount;
