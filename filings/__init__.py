"""The domain of the filings operators make: record kinds and their bodies, the catalogue they
are checked against, what an operator signs, and the rules a submission must pass to be admitted.

Pure: no HTTP, no database, no chain. The state a rule needs (active operators, the owners of
records, the files already uploaded) is passed in. Every refusal is a `FilingError`.
"""
