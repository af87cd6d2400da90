"""Pure analytics: pandas/numpy in, pandas/numpy out. No Dash, no SQL."""
