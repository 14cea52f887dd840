-- The candidate KPI build reads only the facts of the days marked dirty, by the
-- date key each family of facts counts on (order lines already have theirs).
create index if not exists fct_payment_attempt_date_idx on dw.fct_payment_attempt (attempt_date_key);
create index if not exists fct_shipment_delivered_date_idx on dw.fct_shipment (delivered_date_key)
where is_delivered;
