-- Returned lines by reason and days after delivery over the period and filter.
select
    t.reason,
    t.days_after_delivery,
    t.bucket_order,
    sum(t.returned_lines) as returned_lines,
    sum(t.refund_amount) as refund_amount
from marts.return_timing as t
where
    t.channel = coalesce(%(channel)s::text, 'any')
    and t.region = coalesce(%(region)s::text, 'any')
    and t.category = coalesce(%(category)s::text, 'any')
    and t.requested_date between %(period_from)s::date and %(period_to)s::date
group by t.reason, t.days_after_delivery, t.bucket_order
order by t.reason, t.bucket_order;
