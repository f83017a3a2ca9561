"""What elbd answers, as TypedDicts: the views build them and the routes name them as `response_model`
for the OpenAPI document, so a type checker holds the document to the answers (tests/unit/test_types.py).

At run time a shape is a plain dict, built as a literal: describing an answer costs nothing per request.
They are typing_extensions' TypedDicts: pydantic refuses typing's before Python 3.12.
FastAPI never serializes through them (routes answer with a Response, api/replies.py); tests/fuzz checks
every answer against the document all the same."""
