select
    simulated_at,
    step_count,
    seed
from sim.clock
for update;
