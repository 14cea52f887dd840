select q.data_docs
from audit.quality_results as q
where q.data_docs is not null
order by q.checked_at desc
limit 1;
