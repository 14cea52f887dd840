-- The open incident of a kind, if any, locked until this transaction ends so two runs do not both open one.
select
    i.incident_id,
    i.incident_key,
    i.detail,
    i.opened_at,
    i.opened_by_run,
    i.alerted_at
from audit.incidents as i
where i.incident_key = %(incident_key)s and i.closed_at is null
for update;
