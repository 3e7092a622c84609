"""Helpers shared by the test suites: raw HTTP servers, stub expectations, fault hooks."""
