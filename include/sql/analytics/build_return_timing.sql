-- Returns as of %(as_of)s by reason and how long after delivery they were asked
-- for, per request day, channel, customer region and product category (each also
-- rolled up to 'any'), for the operations dashboard. Written to `candidate`.
drop table if exists candidate.return_timing;
create table candidate.return_timing (like marts.return_timing including all);

insert into candidate.return_timing
with returned as (
    select
        to_date(r.requested_date_key::text, 'YYYYMMDD') as requested_date,
        ch.channel_code as channel,
        c.region,
        p.category,
        r.reason,
        case
            when r.days_after_delivery is null then 5
            when r.days_after_delivery <= 7 then 1
            when r.days_after_delivery <= 14 then 2
            when r.days_after_delivery <= 30 then 3
            else 4
        end as bucket_order,
        r.quantity,
        r.refund_amount
    from dw.fct_return_line as r
    inner join dw.fct_order_line as f on r.order_item_id = f.order_item_id
    inner join dw.dim_channel as ch on f.channel_key = ch.channel_key
    inner join dw.dim_customer as c on r.customer_key = c.customer_key
    inner join dw.dim_product as p on r.product_key = p.product_key
    where r.requested_at < %(as_of)s::date + 1
)

select
    case when grouping(t.channel) = 1 then 'any' else t.channel end as channel,
    case when grouping(t.region) = 1 then 'any' else t.region end as region,
    case when grouping(t.category) = 1 then 'any' else t.category end as category,
    t.requested_date,
    t.reason,
    (array['0-7 days', '8-14 days', '15-30 days', 'over 30 days', 'not delivered'])[t.bucket_order]
        as days_after_delivery,
    t.bucket_order,
    count(*) as returned_lines,
    sum(t.quantity) as returned_units,
    sum(t.refund_amount) as refund_amount
from returned as t
group by t.requested_date, t.reason, t.bucket_order, cube (t.channel, t.region, t.category);
