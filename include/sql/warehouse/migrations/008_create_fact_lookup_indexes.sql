-- A customer's new version or a product's new price re-points the facts that refer to them.
create index if not exists fct_order_line_customer_idx on dw.fct_order_line (customer_key);
create index if not exists fct_order_line_product_ordered_idx on dw.fct_order_line (product_key, ordered_at);
create index if not exists fct_payment_attempt_customer_idx on dw.fct_payment_attempt (customer_key);
create index if not exists fct_shipment_customer_idx on dw.fct_shipment (customer_key);
create index if not exists fct_return_line_customer_idx on dw.fct_return_line (customer_key);

-- Lines whose cost was unknown (their product had not arrived) are found again when it arrives.
create index if not exists fct_order_line_unknown_cost_idx on dw.fct_order_line (product_key)
where unit_cost is null;
