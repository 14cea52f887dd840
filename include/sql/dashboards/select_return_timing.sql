-- Returned lines by reason and days after delivery over the period and filter.
select
    t.reason,
    t.days_after_delivery,
    t.bucket_order,
    sum(t.returned_lines) as returned_lines,
    sum(t.refund_amount) as refund_amount
from marts.return_timing as t
where
    t.requested_date between %(period_from)s::date and %(period_to)s::date
    and (%(channel)s::text is null or t.channel = %(channel)s::text)
    and (%(region)s::text is null or t.region = %(region)s::text)
    and (%(category)s::text is null or t.category = %(category)s::text)
group by t.reason, t.days_after_delivery, t.bucket_order
order by t.reason, t.bucket_order;
