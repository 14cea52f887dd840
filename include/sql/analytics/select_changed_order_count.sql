-- How many orders are noted as changed since analytics.order_state was refreshed.
select count(distinct c.order_id) as changed_orders
from analytics.changed_orders as c;
