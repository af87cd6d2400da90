"""Functions that return component trees: one module per page plus shared components."""
