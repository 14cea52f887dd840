delete from audit.run_lease
where lease_name = %(lease_name)s and holder_run_id = %(run_id)s;
