-- Customers with a kept order by the as-of date that have no RFM row, and RFM rows
-- of customers without one.
with expected as (
    select distinct c.customer_id
    from dw.fct_order_line as f
    inner join dw.dim_customer as c on f.customer_key = c.customer_key
    where
        not f.is_cancelled
        and f.order_date_key <= (
            select to_char(a.as_of, 'YYYYMMDD')::integer
            from candidate.analytics_build as a
        )
)

select
    coalesce(e.customer_id, b.customer_id) as customer_id,
    case when b.customer_id is null then 'missing from RFM' else 'not a customer by the as-of date' end as problem
from expected as e
full outer join batch as b on e.customer_id = b.customer_id
where e.customer_id is null or b.customer_id is null
