update audit.incidents
set alerted_at = now()
where incident_id = %(incident_id)s;
