"""Package data of the API: the plan 254 indicator catalogue (`plan254.json`)."""
