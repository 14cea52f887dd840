-- Bookkeeping of the generator and the simulator, kept beside the shop but
-- outside it: the extraction never reads this schema.
create schema if not exists sim;

create table if not exists sim.clock (
    clock_id boolean primary key default true,
    simulated_at timestamptz not null,
    step_count integer not null default 0,
    seed bigint not null,
    constraint clock_single_row check (clock_id)
);

create table if not exists sim.manifest (
    manifest_id boolean primary key default true,
    generated_at timestamptz not null default now(),
    manifest jsonb not null,
    constraint manifest_single_row check (manifest_id)
);
