-- Profit leakage as of %(as_of)s: the money lost per driver, for the whole shop
-- and by category, channel, carrier and fulfillment center, and the categories
-- ranked by leakage as a share of their gross sales. Written to `candidate`.
--
-- Drivers: discounts; refunds of returns not rejected (of which those after a
-- late delivery); shipping cost (shared over an order's lines by gross amount, as
-- in the KPIs); and declined payments: orders cancelled after every payment
-- attempt was declined, valued at what the customer would have paid.
set local work_mem = '256MB';

drop table if exists candidate.profit_leakage;
create table candidate.profit_leakage (like marts.profit_leakage including all);

insert into candidate.profit_leakage
with refunded as (
    select
        r.order_item_id,
        sum(r.refund_amount) as refunds,
        sum(r.refund_amount) filter (where r.followed_late_delivery) as refunds_after_late_delivery
    from dw.fct_return_line as r
    where
        r.return_status <> 'rejected'
        and r.requested_at < %(as_of)s::date + 1
    group by r.order_item_id
),

declined_orders as (
    select p.order_id
    from dw.fct_payment_attempt as p
    where p.attempted_at < %(as_of)s::date + 1
    group by p.order_id
    having bool_and(p.is_declined)
),

lines as (
    select
        p.category,
        ch.channel_code as channel,
        coalesce(ca.carrier_code, 'not shipped') as carrier,
        coalesce(fc.fulfillment_center_code, 'not shipped') as fulfillment_center,
        case when f.is_cancelled then 0 else f.gross_amount end as gross_sales,
        case when f.is_cancelled then 0 else f.discount_amount end as discounts,
        coalesce(r.refunds, 0) as refunds,
        coalesce(r.refunds_after_late_delivery, 0) as refunds_after_late_delivery,
        case
            when f.is_cancelled then 0
            else coalesce(
                s.shipping_cost * f.gross_amount / nullif(sum(f.gross_amount) over (partition by f.order_id), 0), 0
            )
        end as shipping_cost,
        case when f.is_cancelled and d.order_id is not null then f.net_amount else 0 end as declined_payments
    from dw.fct_order_line as f
    inner join dw.dim_product as p on f.product_key = p.product_key
    inner join dw.dim_channel as ch on f.channel_key = ch.channel_key
    left join refunded as r on f.order_item_id = r.order_item_id
    left join declined_orders as d on f.order_id = d.order_id
    left join dw.fct_shipment as s on f.order_id = s.order_id
    left join dw.dim_carrier as ca on s.carrier_key = ca.carrier_key
    left join dw.dim_fulfillment_center as fc on s.fulfillment_center_key = fc.fulfillment_center_key
    where f.order_date_key <= to_char(%(as_of)s::date, 'YYYYMMDD')::integer
),

totals as (
    select
        case
            when grouping(l.category) = 0 then 'category'
            when grouping(l.channel) = 0 then 'channel'
            when grouping(l.carrier) = 0 then 'carrier'
            when grouping(l.fulfillment_center) = 0 then 'fulfillment_center'
            else 'all'
        end as dimension_name,
        coalesce(l.category, l.channel, l.carrier, l.fulfillment_center, 'all') as dimension_value,
        sum(l.gross_sales) as gross_sales,
        sum(l.discounts) as discounts,
        sum(l.refunds) as refunds,
        sum(l.refunds_after_late_delivery) as refunds_after_late_delivery,
        round(sum(l.shipping_cost), 2) as shipping_cost,
        sum(l.declined_payments) as declined_payments
    from lines as l
    group by grouping sets ((), (l.category), (l.channel), (l.carrier), (l.fulfillment_center))
    having count(*) > 0
)

select
    t.dimension_name,
    t.dimension_value,
    t.gross_sales,
    t.discounts,
    t.refunds,
    t.refunds_after_late_delivery,
    t.shipping_cost,
    t.declined_payments,
    t.discounts + t.refunds + t.shipping_cost + t.declined_payments as total_leakage,
    round((t.discounts + t.refunds + t.shipping_cost + t.declined_payments) / nullif(t.gross_sales, 0), 6)
        as leakage_pct_of_gross
from totals as t;

drop table if exists candidate.leakage_top_categories;
create table candidate.leakage_top_categories (like marts.leakage_top_categories including all);

insert into candidate.leakage_top_categories
select
    row_number() over (order by l.leakage_pct_of_gross desc nulls last, l.dimension_value asc) as leakage_rank,
    l.dimension_value as category,
    l.gross_sales,
    l.total_leakage,
    l.leakage_pct_of_gross,
    largest.driver as largest_driver,
    largest.amount as largest_driver_amount,
    round(l.refunds / nullif(l.gross_sales, 0), 6) as refund_pct_of_gross
from candidate.profit_leakage as l
cross join
    lateral (
        select
            d.driver,
            d.amount
        from (
            values
            ('discounts', l.discounts),
            ('refunds', l.refunds),
            ('shipping_cost', l.shipping_cost),
            ('declined_payments', l.declined_payments)
        ) as d (driver, amount)
        order by d.amount desc, d.driver asc
        limit 1
    ) as largest
where l.dimension_name = 'category';
