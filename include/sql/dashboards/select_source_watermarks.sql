-- How far each source table is loaded and how far behind now its watermark is.
select
    w.table_name,
    w.high_watermark,
    w.advanced_at,
    extract(epoch from now() - w.high_watermark) as lag_seconds
from marts.source_watermarks as w
order by w.table_name;
