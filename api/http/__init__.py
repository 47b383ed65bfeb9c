"""HTTP helpers the routes share: dependencies, caller roles, request limits, OpenAPI, the
check pool and the bundle cache."""
