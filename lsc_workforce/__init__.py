"""lsc-workforce."""
