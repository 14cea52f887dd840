insert into shop.payments (
    order_id, attempt_number, payment_method, provider, status, amount, decline_reason, attempted_at
)
select
    a.order_id,
    a.attempt_number,
    a.payment_method,
    a.provider,
    a.status,
    a.amount,
    a.decline_reason,
    a.attempted_at
from unnest(
    %(order_id)s::bigint[],
    %(attempt_number)s::integer[],
    %(payment_method)s::text[],
    %(provider)s::text[],
    %(status)s::text[],
    %(amount)s::numeric[],
    %(decline_reason)s::text[],
    %(attempted_at)s::timestamptz[]
) as a (order_id, attempt_number, payment_method, provider, status, amount, decline_reason, attempted_at);
