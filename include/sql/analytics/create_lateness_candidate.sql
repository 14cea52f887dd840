-- An empty candidate table for the lateness model's terms (filled from Python).
drop table if exists candidate.sla_lateness_drivers;
create table candidate.sla_lateness_drivers (like marts.sla_lateness_drivers including all);
