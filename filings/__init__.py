"""The domain of the filings: record kinds and their bodies, Huế's areas and the reporting
periods, the plans in the log that judge figures, who declares which figure, what a signer
signs, and the rules a submission must pass to be admitted.

Pure: no HTTP, no database, no chain. The state a rule needs (the registry's operators and
registrars, the records and files in the log, its plans, the server's clock) is passed in.
Every refusal is a `FilingError`.
"""
