"""Analysis: statistics, tables and figures from run directories (numpy/scipy/matplotlib, no torch)."""
