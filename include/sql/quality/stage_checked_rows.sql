-- The rows the gate checks, copied aside so that every check reads a small,
-- analyzed table: the facts whose source rows changed since %(checked_from)s.
drop table if exists candidate.checked_order_lines;
create table candidate.checked_order_lines as
select f.*
from dw.fct_order_line as f
where f.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.checked_payment_attempts;
create table candidate.checked_payment_attempts as
select p.*
from dw.fct_payment_attempt as p
where p.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.checked_shipments;
create table candidate.checked_shipments as
select s.*
from dw.fct_shipment as s
where s.source_updated_at >= %(checked_from)s::timestamptz;

drop table if exists candidate.checked_return_lines;
create table candidate.checked_return_lines as
select r.*
from dw.fct_return_line as r
where r.source_updated_at >= %(checked_from)s::timestamptz;

analyze candidate.checked_order_lines;
analyze candidate.checked_payment_attempts;
analyze candidate.checked_shipments;
analyze candidate.checked_return_lines;
