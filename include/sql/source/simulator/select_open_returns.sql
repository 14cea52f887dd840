select
    r.return_id,
    r.status,
    r.requested_at,
    r.received_at
from shop.returns as r
where r.status in ('requested', 'received')
order by r.return_id;
