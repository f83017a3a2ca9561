"""What elbd answers, as pydantic models for the OpenAPI document: the views build the bodies, these
declare them (routes name them as `response_model`, never used to serialize), and tests/fuzz checks
every answer against them."""
