insert into audit.incidents (incident_key, detail, opened_by_run)
values (%(incident_key)s, %(detail)s, %(run_id)s)
returning incident_id, incident_key, detail, opened_at, opened_by_run, alerted_at;
