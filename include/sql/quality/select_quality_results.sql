select
    q.check_name,
    q.suite,
    q.severity,
    q.description,
    q.success,
    q.unexpected_count,
    q.sample,
    q.error,
    q.data_docs
from audit.quality_results as q
where q.run_id = %(run_id)s
order by q.success, q.severity, q.suite, q.check_name;
