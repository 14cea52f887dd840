-- The warehouse's layers, in the order data flows through them.
create schema if not exists staging;  -- changed source rows as extracted, raw text; emptied every run
create schema if not exists mirror;   -- the source's current state, typed, newest version of each row wins
create schema if not exists dw;       -- the star schema: dimensions and facts
create schema if not exists marts;    -- published tables for BI
create schema if not exists audit;    -- watermarks, run log, status transitions, rejected rows
