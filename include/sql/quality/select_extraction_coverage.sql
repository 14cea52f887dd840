-- For the tables the reconciliation reads, the time before which every source row is in the
-- warehouse: as this run's extraction recorded it, else (a run that did not extract) the
-- table's watermark, below which every row was read; -infinity when nothing is known.
select
    t.table_name,
    coalesce(c.complete_before, case when c.run_id is null then w.high_watermark end, '-infinity') as complete_before
from unnest(array['customers', 'orders', 'order_items', 'returns']) as t (table_name)
left join audit.extraction_coverage as c on t.table_name = c.table_name and c.run_id = %(run_id)s
left join audit.watermarks as w on t.table_name = w.table_name;
