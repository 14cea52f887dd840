-- Record a fresh history: its manifest, and a simulated clock that starts where the history ends.
with saved_manifest as (
    insert into sim.manifest (manifest_id, manifest)
    values (true, %(manifest)s)
    on conflict (manifest_id) do update
        set manifest = excluded.manifest, generated_at = now()
)

insert into sim.clock (clock_id, simulated_at, step_count, seed)
values (true, %(simulated_at)s, 0, %(seed)s)
on conflict (clock_id) do update
    set simulated_at = excluded.simulated_at, step_count = 0, seed = excluded.seed;
