update audit.incidents
set closed_at = now(), closed_by_run = %(run_id)s
where incident_key = %(incident_key)s and closed_at is null
returning incident_id, incident_key, detail, opened_at, opened_by_run, alerted_at;
