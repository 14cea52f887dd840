update sim.clock
set simulated_at = %(simulated_at)s, step_count = step_count + 1;
