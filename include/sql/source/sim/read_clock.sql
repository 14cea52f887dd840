-- The clock without locking it, for writers that run beside a simulator step.
select
    simulated_at,
    step_count,
    seed
from sim.clock;
