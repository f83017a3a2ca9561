"""Stored rows to response bodies, in the exact shapes of the Huawei Cloud APIs."""
