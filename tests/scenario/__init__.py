"""Tests of scenario files: strict reading, names, overrides, all errors at once, messages, comparability."""
