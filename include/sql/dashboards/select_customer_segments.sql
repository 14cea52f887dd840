-- RFM segment sizes with their churn rates, as of the published analytics run.
select
    s.segment,
    s.customers,
    s.share_of_customers,
    s.average_monetary,
    s.share_of_monetary,
    s.churn_rate
from marts.rfm_segment_summary as s
order by s.customers desc;
