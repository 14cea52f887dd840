select to_regclass('candidate.analytics_build') is not null as build_exists;
