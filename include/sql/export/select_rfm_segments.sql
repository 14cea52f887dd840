-- The published RFM segments, largest first, with what each means and what to do about it.
select
    s.segment,
    s.customers,
    s.share_of_customers,
    s.average_recency_days,
    s.average_frequency,
    s.average_monetary,
    s.total_monetary,
    s.share_of_monetary,
    s.churn_rate,
    d.meaning,
    d.suggested_action
from marts.rfm_segment_summary as s
left join marts.rfm_segment_definitions as d on s.segment = d.segment
order by s.customers desc, s.segment asc;
