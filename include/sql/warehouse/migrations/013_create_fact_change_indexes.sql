-- The quality gate checks the facts whose source rows changed since the last
-- publication; these indexes find them without scanning the whole fact table.
create index if not exists fct_order_line_source_updated_idx on dw.fct_order_line (source_updated_at);
create index if not exists fct_payment_attempt_source_updated_idx on dw.fct_payment_attempt (source_updated_at);
create index if not exists fct_shipment_source_updated_idx on dw.fct_shipment (source_updated_at);
create index if not exists fct_return_line_source_updated_idx on dw.fct_return_line (source_updated_at);
