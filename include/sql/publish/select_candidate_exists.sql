select to_regclass('candidate.build_info') is not null as candidate_exists;
