-- Amounts and day counts the facts compute from the source (quantity x price, days between
-- two times) could overflow their fixed precision on values the source accepts, and one such
-- row failed every build. They hold any number now. The contract keeps out what no build may
-- believe (times far outside the shop's life, numbers that are not finite); the quality gate
-- judges the rest. Relaxing a numeric's precision rewrites nothing.
alter table dw.fct_order_line
alter column unit_price type numeric,
alter column gross_amount type numeric,
alter column discount_amount type numeric,
alter column net_amount type numeric,
alter column unit_cost type numeric,
alter column cost_amount type numeric;

alter table dw.fct_payment_attempt
alter column amount type numeric;

alter table dw.fct_shipment
alter column days_to_deliver type numeric,
alter column days_late type numeric,
alter column shipping_cost type numeric;

alter table dw.fct_return_line
alter column refund_amount type numeric,
alter column days_after_delivery type numeric;

alter table dw.dim_product
alter column list_price type numeric,
alter column unit_cost type numeric;
