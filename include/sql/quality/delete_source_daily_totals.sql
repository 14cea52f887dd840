delete from audit.source_daily_totals
where run_id = %(run_id)s;
