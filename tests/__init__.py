"""The tests, one folder per concern of xlfuncs/ (see CONTRIBUTING.md)."""
