"""Request bodies, as pydantic models shared by the API (parsing) and the services (rules)."""
