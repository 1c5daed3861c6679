"""The JSON API clients of the API kit's tests, for the org API's tests."""

from luoshi.api.tests.conftest import api_for, token_api

__all__ = ["api_for", "token_api"]
