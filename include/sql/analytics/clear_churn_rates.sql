-- Too little history to judge churn: publish no rates rather than misleading zeros.
delete from candidate.churn_rates;
