update audit.incidents
set detail = %(detail)s, alerted_at = null
where incident_id = %(incident_id)s
returning incident_id, incident_key, detail, opened_at, opened_by_run, alerted_at;
