select
    table_name,
    high_watermark
from audit.watermarks;
