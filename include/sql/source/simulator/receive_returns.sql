update shop.returns as r
set status = 'received', received_at = x.received_at
from unnest(%(return_id)s::bigint[], %(received_at)s::timestamptz[]) as x (return_id, received_at)
where r.return_id = x.return_id and r.status = 'requested';
