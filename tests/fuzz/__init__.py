"""The invariant fuzzer (issue 19): random API sessions by every persona, checked against a reference model."""
