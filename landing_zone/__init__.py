"""Plain-Python side of the landing zone: config models, planning, offline plan/check and the `lz` CLI."""
