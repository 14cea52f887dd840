-- The Data Docs of the latest run of the KPI gate.
select q.data_docs
from audit.quality_results as q
inner join audit.publications as p on q.run_id = p.run_id and p.publication = 'kpis'
where q.data_docs is not null
order by q.checked_at desc
limit 1;
