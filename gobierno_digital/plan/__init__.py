"""Activities 2–4: the work plan, its resources, budget availabilities and approval."""
