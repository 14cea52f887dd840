-- The newest day with sales, when it is more than a day older than the source
-- cutoff: orders have stopped arriving, at the shop or in the pipeline.
select
    max(b.period_start) as newest_day_with_sales,
    max(q.source_cutoff) as source_cutoff
from batch as b
cross join audit.quality_scope as q
where b.orders > 0
having max(b.period_start) < (max(q.source_cutoff) at time zone 'UTC')::date - 1
