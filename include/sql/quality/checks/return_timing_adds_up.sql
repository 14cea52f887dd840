-- Return rows that break the table: nothing returned on a row, or a whole-shop row
-- (channel, region and category 'any') that is not the sum of the rows it rolls up.
with members as (
    select
        b.requested_date,
        b.reason,
        b.days_after_delivery,
        sum(b.returned_lines) as returned_lines,
        sum(b.refund_amount) as refund_amount
    from batch as b
    where b.channel <> 'any' and b.region <> 'any' and b.category <> 'any'
    group by b.requested_date, b.reason, b.days_after_delivery
)

select
    b.requested_date,
    b.channel,
    b.region,
    b.category,
    b.reason,
    b.days_after_delivery,
    b.returned_lines,
    m.returned_lines as members_lines,
    b.refund_amount,
    m.refund_amount as members_refund_amount
from batch as b
left join members as m
    on
        b.requested_date = m.requested_date
        and b.reason = m.reason
        and b.days_after_delivery = m.days_after_delivery
where
    b.returned_lines <= 0
    or b.refund_amount < 0
    or (
        b.channel = 'any' and b.region = 'any' and b.category = 'any'
        and (
            m.returned_lines is distinct from b.returned_lines
            or m.refund_amount is distinct from b.refund_amount
        )
    )
